using System.Diagnostics;
using CifarHelpers.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Training;

/// <summary>
/// The article's training loop: for each epoch, for each batch, forward, loss, clear the gradients,
/// backward, step. Each batch runs in a dispose scope, so no tensor outlives its batch.
/// </summary>
/// <remarks>
/// Gradients are set to none rather than zeroed (PyTorch's <c>zero_grad(set_to_none=True)</c>, which TorchSharp's
/// <c>zero_grad()</c> lacks): backward then writes each gradient fresh instead of adding it to a zeroed 6 MB buffer.
/// The numbers are the same; the memory traffic is smaller.
/// </remarks>
/// <param name="model">The model, which maps a batch of flattened images to log-probabilities.</param>
/// <param name="optimizer">The optimiser over the model's parameters.</param>
/// <param name="lossFn">The loss, for example <c>NLLLoss()</c>.</param>
public sealed class Trainer(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, nn.Module<Tensor, Tensor, Tensor> lossFn)
{
    readonly TorchSharp.Modules.Parameter[] _parameters = optimizer.parameters().ToArray();

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs over <paramref name="loader"/>. Images are flattened to
    /// <c>[B, 3072]</c> as the article's <c>imgs.view(imgs.shape[0], -1)</c>. Deterministic when the model's
    /// initial weights and the loader's shuffling are seeded.
    /// </summary>
    /// <param name="loader">The training batches.</param>
    /// <param name="epochs">How many passes over the data.</param>
    /// <param name="onEpoch">Called after each epoch, for progress.</param>
    /// <param name="history">Where epochs are added; a new history when null.</param>
    /// <exception cref="TrainingDivergedException">A batch's loss is NaN or infinite.</exception>
    public TrainingHistory Fit(DataLoader loader, int epochs, Action<EpochResult>? onEpoch = null, TrainingHistory? history = null)
    {
        history ??= new TrainingHistory();
        model.train();
        int first = history.Epochs.Count + 1;
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
                var outputs = model.forward(imgs.view(imgs.shape[0], -1));
                var loss = lossFn.forward(outputs, labels);
                ClearGradients();
                loss.backward();
                optimizer.step();
                last = loss.item<float>();
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

    void ClearGradients()
    {
        foreach (var parameter in _parameters)
        {
            using var grad = parameter.grad;
            if (grad is not null) parameter.grad = null;
        }
    }
}

/// <summary>The loss became NaN or infinite; training stopped.</summary>
public sealed class TrainingDivergedException(int epoch, int batch, double loss)
    : Exception($"Training diverged: the loss is {loss} at epoch {epoch}, batch {batch}. Lower the learning rate and train again.")
{
    /// <summary>The epoch, from 1.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>The batch within the epoch, from 1.</summary>
    public int Batch { get; } = batch;
}
