using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CifarHelpers.Training;

/// <summary>
/// One SGD step of a stack of <c>Linear</c> layers, each optionally followed by <c>Tanh</c> and the last followed
/// by <c>LogSoftmax(dim: 1)</c>, under <c>NLLLoss</c> (the batch mean): the backward pass that autograd runs for
/// such a model, written out so that each weight's update is fused into the matrix product of its gradient.
/// </summary>
/// <remarks>
/// <para>
/// Why by hand: autograd writes ∂L/∂W of the first layer into a new 6 MB buffer, and <c>optim.SGD</c> then reads it
/// back beside W to subtract it. Here <c>W ← W − lr·δ·xᵀ</c> is one <c>addmm_</c> (a GEMM with β = 1), so the
/// gradient is never stored, and nothing but the two GEMMs touches W. Activations are kept transposed, features by
/// batch (<c>hᵀ = W·xᵀ + b</c>): MKL runs the first layer's product faster that way round for a batch of 64.
/// </para>
/// <para>
/// The derivatives are the usual ones: <c>δ = (softmax(z) − onehot(y)) / B</c> at the output,
/// <c>∂L/∂W = δ·aᵀ</c>, <c>∂L/∂b = Σ δ</c>, <c>δ_below = (Wᵀ·δ) ⊙ (1 − a²)</c> through <c>Tanh</c> (and
/// <c>δ ⊙ (1 − a²)</c> at the output when a <c>Tanh</c> comes right before <c>LogSoftmax</c>). The math is
/// autograd's; only the order in which floats are summed differs (a test compares the two; bench/README.md gives the
/// measured differences).
/// Gradients (<c>.grad</c>) are left untouched.
/// </para>
/// </remarks>
sealed class FusedSgdStep
{
    readonly (Parameter Weight, Parameter? Bias, bool Tanh)[] _layers;
    readonly float _learningRate;

    public FusedSgdStep(Sequential model, double learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        _learningRate = (float)learningRate;
        _layers = Parse(model);
    }

    /// <summary>Trains on one batch of flattened images <c>[B, in]</c> and labels <c>[B]</c>; returns the batch's loss (before the step).</summary>
    public Tensor Step(Tensor images, Tensor labels)
    {
        using var noGrad = no_grad();
        long batch = images.shape[0];

        // Forward, keeping each layer's input: inputs[i] is [in_i, B].
        var inputs = new Tensor[_layers.Length];
        var a = images.t();
        for (int i = 0; i < _layers.Length; i++)
        {
            var (weight, bias, tanh) = _layers[i];
            inputs[i] = a;
            a = bias is null ? weight.mm(a) : addmm(bias.unsqueeze(1), weight, a, beta: 1, alpha: 1);
            if (tanh) a.tanh_();
        }
        var logProbs = a.log_softmax(0); // [classes, B]
        var loss = logProbs.gather(0, labels.unsqueeze(0)).mean().neg();

        // Backward, last layer first. δ is ∂L/∂(layer output before its activation), [out_i, B].
        var delta = logProbs.exp().sub_(nn.functional.one_hot(labels, a.shape[0]).t()).div_(batch);
        if (_layers[^1].Tanh) delta.mul_(1 - a * a); // a Tanh before LogSoftmax: a is its output, tanh' = 1 − tanh²
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            var (weight, bias, _) = _layers[i];
            var below = i > 0 ? weight.t().mm(delta) : null; // with the weights before this step's update
            bias?.add_(delta.sum(1), alpha: -_learningRate);
            weight.addmm_(delta, inputs[i].t(), beta: 1, alpha: -_learningRate);
            if (below is null) break;
            if (_layers[i - 1].Tanh) below.mul_(1 - inputs[i] * inputs[i]); // tanh' = 1 − tanh²
            delta = below;
        }
        return loss;
    }

    static (Parameter, Parameter?, bool)[] Parse(Sequential model)
    {
        var children = model.children().ToList();
        var layers = new List<(Parameter, Parameter?, bool)>();
        int i = 0;
        while (i < children.Count && children[i] is Linear linear)
        {
            bool tanh = i + 1 < children.Count && children[i + 1] is Tanh;
            layers.Add((linear.weight, linear.bias, tanh));
            i += tanh ? 2 : 1;
        }
        bool endsInLogSoftmax = i == children.Count - 1 && children[i] is LogSoftmax { dim: 1 or -1 };
        if (layers.Count == 0 || !endsInLogSoftmax)
        {
            string found = string.Join(", ", children.Select(c => c.GetType().Name));
            throw new ArgumentException(
                "The fused SGD step takes Linear layers, each optionally followed by Tanh, then LogSoftmax(dim: 1); " +
                $"this model has {found}. Train it with new Trainer(model, optimizer, lossFn) instead.", nameof(model));
        }
        if (model.parameters().Any(p => !p.requires_grad))
            throw new ArgumentException("The fused SGD step updates every parameter; this model has frozen ones.", nameof(model));
        return [.. layers];
    }
}
