using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;

namespace PeftQa.Tests.Support;

/// <summary>Recipes for runs that take seconds: a tiny BERT with the real vocabulary, a few steps, a small SQuAD file.</summary>
public static class TinyRuns
{
    public static string Vocabulary => Path.Combine(BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance), "vocab.txt");

    /// <summary>Three questions on two paragraphs, valid SQuAD v1.1.</summary>
    public const string Squad = """
        {"version": "1.1", "data": [{"title": "Paris", "paragraphs": [
          {"context": "Paris is the capital of France. It lies on the Seine.",
           "qas": [{"id": "q1", "question": "What is the capital of France?", "answers": [{"text": "Paris", "answer_start": 0}]},
                   {"id": "q2", "question": "Which river runs through Paris?", "answers": [{"text": "Seine", "answer_start": 47}]}]},
          {"context": "Berlin is the capital of Germany.",
           "qas": [{"id": "q3", "question": "What is the capital of Germany?", "answers": [{"text": "Berlin", "answer_start": 0}]}]}]}]}
        """;

    /// <summary>A recipe over <paramref name="dataFile"/> (train and eval) with one adapter; <paramref name="training"/> adds training fields.</summary>
    public static string SquadRecipe(string model, string dataFile, string adapters = """[{ "strategy": "full" }]""", string training = "", int maxSteps = 2) => $$"""
        {
          "name": "tiny-squad",
          "model": {{JsonSerializer.Serialize(model)}},
          "seed": 7,
          "tasks": [ { "name": "capitals", "train": {{JsonSerializer.Serialize(dataFile)}}, "eval": {{JsonSerializer.Serialize(dataFile)}} } ],
          "adapters": {{adapters}},
          "training": { "learningRate": 5e-4, "batchSize": 2, "maxSteps": {{maxSteps}}, "logEvery": 1, "maxSequenceLength": 64, "docStride": 16{{training}} }
        }
        """;

    /// <summary>As <see cref="Create"/>, and the recipe run to the end in <c>run/</c>.</summary>
    public static async Task<(string Recipe, string RunFolder, string Data)> Finished(TemporaryFolder folder)
    {
        var (recipe, _, data) = Create(folder);
        var runFolder = folder.Combine("run");
        var result = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--device", "cpu");
        if (result.ExitCode != 0) throw new InvalidOperationException($"the tiny run failed: {result.Error}");
        return (recipe, runFolder, data);
    }

    /// <summary>A folder with a tiny model, the SQuAD file and a recipe over them.</summary>
    public static (string Recipe, string Model, string Data) Create(TemporaryFolder folder, string adapters = """[{ "strategy": "full" }]""", string training = "", int maxSteps = 2)
    {
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), Vocabulary);
        var data = folder.WriteFile("data/capitals.json", Squad);
        return (folder.WriteFile("tiny.json", SquadRecipe(model, data, adapters, training, maxSteps)), model, data);
    }
}
