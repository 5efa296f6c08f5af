using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// The identity as an autograd node, which tells its <see cref="OpProfile"/> when its gradient arrives. Its output is a
/// copy, so the in-place ops that follow some marked results stay legal.
/// </summary>
internal sealed class OpProfileMarker : autograd.SingleTensorFunction<OpProfileMarker>
{
    private const string ProfileKey = "profile";
    private const string CategoryKey = "category";

    public override string Name => nameof(OpProfileMarker);

    /// <param name="vars">The tensor, its <see cref="OpProfile"/> and its <see cref="OpCategory"/>.</param>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ctx.save_data(ProfileKey, vars[1]);
        ctx.save_data(CategoryKey, vars[2]);
        return ((Tensor)vars[0]).clone();
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ((OpProfile)ctx.get_data(ProfileKey)).Reached((OpCategory)ctx.get_data(CategoryKey));
        return [grad_output, null!, null!];
    }
}
