using System.Diagnostics;
using CifarHelpers.Data;
using TorchSharp;
using Sequential = TorchSharp.Modules.Sequential;
using static TorchSharp.torch;

namespace CifarHelpers.Training;

/// <summary>
/// The article's training loop: for each epoch, for each batch, forward, loss, clear the gradients,
/// backward, step. Each batch runs in a dispose scope, so no tensor outlives its batch.
/// </summary>
/// <remarks>
/// <para>
/// <c>new Trainer(model, optimizer, lossFn)</c> takes any model, optimiser and loss, and lets autograd compute the
/// gradients. They are set to none rather than zeroed (<c>Module.zero_grad()</c>, whose <c>set_to_none</c> is true
/// by default in TorchSharp 0.107 as in PyTorch): backward then writes each gradient fresh instead of adding it to a
/// zeroed 6 MB buffer. The numbers are the same; the memory traffic is smaller.
/// </para>
/// <para>
/// <see cref="FusedSgd"/> trains the article's kind of model (Linear and Tanh layers, LogSoftmax, NLLLoss, plain
/// SGD) with the backward pass written out and the SGD update fused into it: the same math, in less time.
/// </para>
/// </remarks>
public sealed class Trainer
{
    readonly nn.Module<Tensor, Tensor> _model;
    readonly Func<Tensor, Tensor, Tensor> _step; // (flattened images, labels) → the batch's loss

    /// <summary>A trainer that computes gradients with autograd and updates with <paramref name="optimizer"/>.</summary>
    /// <param name="model">The model, which maps a batch of flattened images to log-probabilities.</param>
    /// <param name="optimizer">The optimiser over the model's parameters.</param>
    /// <param name="lossFn">The loss, for example <c>NLLLoss()</c>.</param>
    public Trainer(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, nn.Module<Tensor, Tensor, Tensor> lossFn)
        : this(model, AutogradStep(model, optimizer, lossFn))
    {
    }

    Trainer(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> step) => (_model, _step) = (model, step);

    /// <summary>
    /// Whether <c>Fit</c> flattens each batch to <c>[B, 3072]</c> (true, the default, for the article's
    /// fully connected net) or hands the model the images as they come, <c>[B, 3, 32, 32]</c> (false, for a
    /// convolutional net).
    /// </summary>
    public bool FlattenImages { get; init; } = true;

    /// <summary>
    /// A trainer for a <c>Sequential</c> of <c>Linear</c> layers, each optionally followed by <c>Tanh</c>, ending in
    /// <c>LogSoftmax(dim: 1)</c>, under <c>NLLLoss()</c> and <c>optim.SGD(parameters, learningRate)</c> (no momentum,
    /// no weight decay). It computes what autograd would, by hand, and fuses each weight's update into the matrix
    /// product of its gradient, so no gradient buffer is ever written. Only the order of float sums differs from
    /// autograd: the article's run ends at the same accuracy. The parameters' <c>.grad</c> are
    /// left untouched.
    /// </summary>
    /// <param name="model">The model, for example <c>FullyConnected.Create()</c>.</param>
    /// <param name="learningRate">SGD's learning rate.</param>
    /// <exception cref="ArgumentException">The model has other layers; use the autograd constructor for it.</exception>
    public static Trainer FusedSgd(Sequential model, double learningRate) =>
        new(model, new FusedSgdStep(model, learningRate).Step);

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs over <paramref name="loader"/>, any sequence of <c>(images,
    /// labels)</c> batches that can be enumerated once per epoch: our <see cref="BatchLoader"/>, or TorchSharp's own
    /// loader through the overload that takes its dictionaries. Images are flattened to <c>[B, 3072]</c> as the
    /// article's <c>imgs.view(imgs.shape[0], -1)</c>, unless <see cref="FlattenImages"/> is false. Deterministic when the
    /// model's initial weights and the loader's shuffling are seeded. Each batch is disposed after its step.
    /// </summary>
    /// <param name="loader">The training batches.</param>
    /// <param name="epochs">How many passes over the data.</param>
    /// <param name="onEpoch">Called after each epoch, for progress.</param>
    /// <param name="history">Where epochs are added; a new history when null.</param>
    /// <exception cref="TrainingDivergedException">A batch's loss is NaN or infinite.</exception>
    public TrainingHistory Fit(IEnumerable<(Tensor Images, Tensor Labels)> loader, int epochs, Action<EpochResult>? onEpoch = null,
                               TrainingHistory? history = null)
    {
        history ??= new TrainingHistory();
        _model.train();
        int first = history.Epochs.Count;
        for (int epoch = first; epoch < first + epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double sum = 0, last = double.NaN;
            int batch = 0;
            foreach (var (imgs, labels) in loader)
            {
                batch++;
                using var scope = NewDisposeScope();
                scope.Attach(imgs, labels); // the batch was made before the scope: hand it over
                last = _step(FlattenImages ? imgs.view(imgs.shape[0], -1) : imgs, labels).item<float>();
                if (!double.IsFinite(last))
                    throw new TrainingDivergedException(epoch, batch, last);
                sum += last;
            }
            var result = new EpochResult(epoch, last, sum / Math.Max(batch, 1), clock.Elapsed);
            history.Add(result);
            onEpoch?.Invoke(result);
        }
        return history;
    }

    /// <summary>
    /// Trains over TorchSharp's own <c>torch.utils.data.DataLoader</c>, whose batches are dictionaries: the images
    /// under <paramref name="imagesKey"/> and the labels under <paramref name="labelsKey"/> (TorchVision's and our
    /// datasets' keys, <c>"data"</c> and <c>"label"</c>, by default). Otherwise as the overload above.
    /// </summary>
    public TrainingHistory Fit(IEnumerable<Dictionary<string, Tensor>> loader, int epochs, Action<EpochResult>? onEpoch = null,
                               TrainingHistory? history = null, string imagesKey = "data", string labelsKey = "label") =>
        Fit(Batches.FromDictionaries(loader, imagesKey, labelsKey), epochs, onEpoch, history);

    static Func<Tensor, Tensor, Tensor> AutogradStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer,
                                                     nn.Module<Tensor, Tensor, Tensor> lossFn)
    {
        return (images, labels) =>
        {
            var loss = lossFn.forward(model.forward(images), labels);
            model.zero_grad(); // set_to_none: true by default in TorchSharp 0.107
            loss.backward();
            optimizer.step();
            return loss;
        };
    }
}

/// <summary>The loss became NaN or infinite; training stopped.</summary>
public sealed class TrainingDivergedException(int epoch, int batch, double loss)
    : Exception($"Training diverged: the loss is {loss} at epoch {epoch}, batch {batch}. Lower the learning rate and train again.")
{
    /// <summary>The epoch, from 0 as the article counts them.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>The batch within the epoch, from 1.</summary>
    public int Batch { get; } = batch;
}
