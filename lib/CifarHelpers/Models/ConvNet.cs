using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CifarHelpers.Models;

/// <summary>
/// The small convolutional network of chapter 8 of <i>Deep Learning with PyTorch</i>: two blocks of a 3×3
/// convolution, <c>Tanh</c> and a 2×2 max-pool, then <c>Linear(512, 32)</c>, <c>Tanh</c>, <c>Linear(32, 2)</c>.
/// It takes images as <c>[B, 3, 32, 32]</c> (not flattened) and returns one score (logit) per class, for
/// <c>CrossEntropyLoss</c>. 18,090 parameters.
/// </summary>
public sealed class ConvNet : Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly Tanh act1;
    readonly MaxPool2d pool1;
    readonly Conv2d conv2;
    readonly Tanh act2;
    readonly MaxPool2d pool2;
    readonly Linear fc1;
    readonly Tanh act3;
    readonly Linear fc2;

    /// <summary>
    /// Builds the network with fresh weights, drawn from torch's global generator: seed it first for a repeatable start.
    /// </summary>
    /// <param name="classes">The number of outputs.</param>
    public ConvNet(int classes = 2) : base(nameof(ConvNet))
    {
        conv1 = Conv2d(3, 16, kernel_size: 3, padding: 1);  // [B, 3, 32, 32] → [B, 16, 32, 32]
        act1 = Tanh();
        pool1 = MaxPool2d(kernel_size: 2);                   // → [B, 16, 16, 16]
        conv2 = Conv2d(16, 8, kernel_size: 3, padding: 1);  // → [B, 8, 16, 16]
        act2 = Tanh();
        pool2 = MaxPool2d(kernel_size: 2);                   // → [B, 8, 8, 8]
        fc1 = Linear(8 * 8 * 8, 32);                         // flattened 512 → 32
        act3 = Tanh();
        fc2 = Linear(32, classes);                           // → [B, classes]
        RegisterComponents();
    }

    /// <summary>Scores <paramref name="input"/>, a batch of images <c>[B, 3, 32, 32]</c>, as <c>[B, classes]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = pool1.forward(act1.forward(conv1.forward(input)));
        x = pool2.forward(act2.forward(conv2.forward(x)));
        x = x.flatten(1); // the book's out.view(-1, 8 * 8 * 8)
        x = fc2.forward(act3.forward(fc1.forward(x)));
        return x.MoveToOuterDisposeScope();
    }
}
