using System.Diagnostics;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Splits the forward and backward passes of training steps into <see cref="OpCategory"/> time, for
/// <c>peftqa bench --profile</c>. The model's modules mark each result with what computed it (<see cref="Mark"/>); a
/// mark charges the time since the previous mark to its category. In the backward pass a marked result carries an
/// identity node (<see cref="OpProfileMarker"/>) that fires when its gradient arrives: libtorch's CPU engine runs nodes
/// in reverse order of creation, so the work from one marker to the next is the backward of the op that marker follows,
/// and is charged to the same category. The marks' own cost (a copy each) is left out. Off (one null check per mark)
/// unless a profile is running.
/// </summary>
public sealed class OpProfile
{
    private static volatile OpProfile? current;

    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly double[] forward = new double[Enum.GetValues<OpCategory>().Length];
    private readonly double[] backward = new double[Enum.GetValues<OpCategory>().Length];
    private long since;
    private OpCategory backwardCategory;

    private OpProfile() { }

    /// <summary><paramref name="tensor"/>, computed by <paramref name="category"/> since the previous mark; unchanged
    /// unless a profile is running.</summary>
    public static Tensor Mark(Tensor tensor, OpCategory category) => current is { } profile ? profile.Record(tensor, category) : tensor;

    /// <summary>Starts profiling every model in this process until <see cref="Stop"/>.</summary>
    public static OpProfile Start() => current = new OpProfile();

    public void Stop() => current = null;

    /// <summary>Forward seconds per category, summed over every pass since <see cref="Start"/>.</summary>
    public IReadOnlyList<double> ForwardSeconds => forward;

    /// <summary>Backward seconds per category, summed over every pass since <see cref="Start"/>.</summary>
    public IReadOnlyList<double> BackwardSeconds => backward;

    public void BeginForward() => since = clock.ElapsedTicks;

    /// <summary>Charges the work after the last mark (the QA head's loss) to <see cref="OpCategory.Rest"/>.</summary>
    public void EndForward() => Charge(forward, OpCategory.Rest);

    public void BeginBackward()
    {
        since = clock.ElapsedTicks;
        backwardCategory = OpCategory.Rest;
    }

    /// <summary>Charges the work after the last marker (the first op's backward, the embeddings' gradient) to its category.</summary>
    public void EndBackward() => Charge(backward, backwardCategory);

    private Tensor Record(Tensor tensor, OpCategory category)
    {
        Charge(forward, category);
        var marked = tensor.requires_grad && is_grad_enabled() ? OpProfileMarker.apply(tensor, this, category) : tensor;
        since = clock.ElapsedTicks;
        return marked;
    }

    /// <summary>A marker's gradient arrived: the work since the previous one belongs to that one's category.</summary>
    internal void Reached(OpCategory category)
    {
        Charge(backward, backwardCategory);
        backwardCategory = category;
        since = clock.ElapsedTicks;
    }

    private void Charge(double[] seconds, OpCategory category)
    {
        long now = clock.ElapsedTicks;
        seconds[(int)category] += (double)(now - since) / Stopwatch.Frequency;
        since = now;
    }
}
