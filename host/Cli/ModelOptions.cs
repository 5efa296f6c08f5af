using System.CommandLine;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary>The options eval, predict and export share: which model and adapter, and how to read them.</summary>
public sealed class ModelOptions
{
    public Option<string> Model { get; } = new("--model")
    {
        Description = "A Hugging Face checkpoint folder (for example runs/.../studies/full/model) or builtin:minilm-l6; " +
                      "with --engine onnx, a .onnx file written by peftqa export.",
        Required = true,
    };

    public Option<string?> Adapter { get; } = new("--adapter") { Description = "An adapter folder written by peftqa run (studies/<label>/adapter)." };

    public Option<bool> AllowPickle { get; } = new("--allow-pickle")
        { Description = "Allow loading pytorch_model.bin (unpickling can run code: only for trusted files)." };

    public Option<bool> IgnoreMismatched { get; } = new("--ignore-mismatched")
    {
        Description = "Load an adapter made for a model of another shape, or with tensors this model has no place for, as far as it fits (logged).",
    };

    public Option<AnsweringEngine> Engine { get; } = new("--engine")
    {
        Description = "torch: TorchSharp on --device (a model folder, builtin:minilm-l6, --adapter); " +
                      "onnx: ONNX Runtime on a file written by peftqa export.",
        DefaultValueFactory = _ => AnsweringEngine.Torch,
    };

    /// <summary>The options a command that answers takes; export reads weights only, so it leaves the engine out.</summary>
    public Option[] For(bool answers) =>
        answers ? [Model, Adapter, Engine, AllowPickle, IgnoreMismatched] : [Model, Adapter, AllowPickle, IgnoreMismatched];

    public ModelChoice Read(ParseResult parse, bool answers = true) => new(parse.GetValue(Model)!, parse.GetValue(Adapter),
        parse.GetValue(AllowPickle), parse.GetValue(IgnoreMismatched), answers ? parse.GetValue(Engine) : AnsweringEngine.Torch);
}
