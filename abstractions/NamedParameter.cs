using TorchSharp.Modules;

namespace PeftQa.Abstractions;

/// <summary>A parameter with its Hugging Face style dotted name, for example <c>bert.encoder.layer.0.attention.self.query.weight</c>.</summary>
public sealed record NamedParameter(string Name, Parameter Parameter);
