namespace PeftQa.Abstractions;

/// <summary>
/// A data augmentation: given a task's training questions (after sampling, before windows are made), it returns questions
/// to add or to change. Recipes list augmentations per task (<c>tasks[].augment: [{ "strategy": "question-synonyms",
/// "options": { ... } }]</c>); they run in that order, each on the questions the one before returned, and never see
/// evaluation or validation questions. Examples: <c>distractor-context</c> (more context around the gold paragraph),
/// <c>question-synonyms</c> (EDA synonym replacement, Wei and Zou 2019), <c>from-file</c>. Bundled augmentations live in
/// the host; a third party adds one by implementing this in a plugin assembly.
/// </summary>
/// <remarks>
/// The host checks every question returned: each answer must still point at its text (for a question
/// <see cref="TrainingQuestion.DerivedFrom"/> a given one, that question's answer texts), ids must be new or a given
/// question's, and no question may repeat an evaluation question. An augmentation that breaks one is refused, naming it and
/// the question id.
/// </remarks>
[PluginKind("data-augmentation")]
public interface IDataAugmentation : IConfigurablePlugin
{
    /// <summary>
    /// Problems with <paramref name="options"/> (an instance of <see cref="IConfigurablePlugin.OptionsType"/>), one message
    /// per problem naming the option (its JSON name) and what was expected; empty when valid. Called before any work starts:
    /// check here the files the options name (a missing or unreadable one is a problem, not an exception).
    /// </summary>
    IReadOnlyList<string> Validate(object options, AugmentationSetup setup) => [];

    /// <summary>
    /// The questions to add or change: a returned question with the id of a given one replaces it; any other id is added.
    /// Questions not returned stay as they are. Must not change its arguments.
    /// </summary>
    IReadOnlyList<TrainingQuestion> Augment(IReadOnlyList<TrainingQuestion> questions, object options, AugmentationContext context);
}
