using System.Text.Json.Serialization;
using PeftQa.Host.Recipes;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>The precision a run computes in, what was asked for, and why the one follows from the other.</summary>
/// <param name="Slow">bf16 was asked for on a device that only emulates it: allowed, but slower than fp32.</param>
public sealed record ComputePrecision(
    [property: JsonConverter(typeof(JsonStringEnumConverter<Precision>))] Precision Requested,
    [property: JsonConverter(typeof(JsonStringEnumConverter<Precision>))] Precision Used,
    string Reason,
    bool Slow = false)
{
    public static readonly ComputePrecision Fp32 = new(Precision.Fp32, Precision.Fp32, "fp32 asked for");

    /// <summary>Which kernels compute the fp32 products (<see cref="Fp32ProductRoute"/>); null when <see cref="Used"/> is
    /// bf16 (the products then run in bf16) or where no device is chosen.</summary>
    public Fp32ProductRoute? Fp32Products { get; init; }

    /// <summary>The dtype the Linear layers' products and attention run in.</summary>
    [JsonIgnore]
    public ScalarType DType => Used == Precision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <summary>
    /// The one place a requested precision becomes the one computed in, for run, eval, predict and bench alike: a run's
    /// <paramref name="pinned"/> precision (decided when it started) while it still answers the same request, else
    /// <paramref name="requested"/> resolved for a device whose bf16 support is <paramref name="support"/>; fp32
    /// products then take this host's <paramref name="route"/> (a host property, so never pinned).
    /// </summary>
    public static ComputePrecision Resolve(Precision requested, Bf16Support support, ComputePrecision? pinned, Fp32ProductRoute? route = null) =>
        (pinned is not null && pinned.Requested == requested ? pinned.PinnedOn(support) : Resolve(requested, support)).RoutedBy(route);

    /// <summary>This precision with fp32 products taking <paramref name="route"/>; none when it computes in bf16.</summary>
    public ComputePrecision RoutedBy(Fp32ProductRoute? route) => this with { Fp32Products = Used == Precision.Fp32 ? route : null };

    public static ComputePrecision Resolve(Precision requested, Bf16Support support) => requested switch
    {
        Precision.Fp32 => Fp32,
        Precision.Bf16 when support.Native => new(requested, Precision.Bf16, $"bf16 asked for; {support.Evidence}"),
        Precision.Bf16 => new(requested, Precision.Bf16, $"bf16 asked for, but {support.Evidence}: expect it to be slower than fp32", Slow: true),
        _ when support.Native => new(requested, Precision.Bf16, $"auto: {support.Evidence}"),
        _ => new(requested, Precision.Fp32, $"auto: {support.Evidence}"),
    };

    /// <summary>
    /// This precision, decided when a run started, used by a later process of the run (a resume, a shard, a report) on
    /// a device whose bf16 support is <paramref name="here"/>: never resolved again, so a run never changes precision
    /// half way; where this device only emulates bf16, still bf16, marked slow.
    /// </summary>
    public ComputePrecision PinnedOn(Bf16Support here) =>
        Used == Precision.Bf16 && !here.Native && here != Bf16Support.NotChecked
            ? this with { Reason = $"{Reason}; pinned when the run started, but here {here.Evidence}: expect it to be slower than fp32", Slow = true }
            : this;

    public override string ToString() =>
        Fp32Products is { } route ? $"{Name(Used)} ({Reason}); fp32 products: {route}" : $"{Name(Used)} ({Reason})";

    public static string Name(Precision precision) => precision.ToString().ToLowerInvariant();
}
