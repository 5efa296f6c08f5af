using System.ComponentModel;
using PeftQa.Abstractions;

namespace SamplePlugin;

public sealed class BitFitOptions
{
    [Description("Also train the QA head's weight, not only its bias.")]
    public bool TrainHead { get; set; } = true;
}

/// <summary>BitFit (Ben Zaken et al., 2022): only the bias terms train. A third-party strategy in a few lines.</summary>
public sealed class BitFitStrategy : AdapterStrategy<BitFitOptions>
{
    public override string Name => "sample-bitfit";

    public override string Description => "Third-party sample: trains only bias terms (BitFit).";

    protected override AdapterTraits Traits(BitFitOptions options) =>
        new() { TrainsBaseWeights = true, CanAttachSeveral = false, SecondAttachRefusal = "BitFit trains the base biases in place", Needs = ModelNeeds.None };

    protected override IAdapter Attach(IAdaptableModel model, BitFitOptions options)
    {
        var head = model.HeadParameters.Select(p => p.Parameter).ToHashSet();
        var trainable = new List<NamedParameter>();
        foreach (var parameter in model.NamedParameters)
        {
            bool train = parameter.Name.EndsWith(".bias", StringComparison.Ordinal) || (options.TrainHead && head.Contains(parameter.Parameter));
            parameter.Parameter.requires_grad = train;
            if (train) trainable.Add(parameter);
        }
        return new BitFitAdapter(trainable);
    }

    private sealed class BitFitAdapter(IReadOnlyList<NamedParameter> trainable) : IAdapter
    {
        public string StrategyName => "sample-bitfit";
        public IReadOnlyList<NamedParameter> TrainableParameters => trainable;
        public bool Enabled { get => true; set { if (!value) throw new NotSupportedException("BitFit trains the base biases in place."); } }
        public bool SupportsMerge => false;
        public void Save(string directory) => File.WriteAllLines(Path.Combine(directory, "bitfit.txt"), trainable.Select(p => p.Name));
        public void Load(string directory) { }
        public void Merge() { }
        public void Unmerge() { }
        public void Dispose() { }
    }
}
