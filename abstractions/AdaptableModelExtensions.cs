namespace PeftQa.Abstractions;

/// <summary>What most adapter strategies do first when they attach.</summary>
public static class AdaptableModelExtensions
{
    /// <summary>
    /// Freezes every parameter of the model and makes the QA head trainable again (PEFT's <c>modules_to_save</c> for
    /// question answering); returns the head's parameters, which the adapter lists among its trainable ones.
    /// </summary>
    public static IReadOnlyList<NamedParameter> FreezeAllButHead(this IAdaptableModel model)
    {
        foreach (var parameter in model.NamedParameters) parameter.Parameter.requires_grad = false;
        var head = model.HeadParameters;
        foreach (var parameter in head) parameter.Parameter.requires_grad = true;
        return head;
    }
}
