using CifarHelpers.Data;
using CifarHelpers.Models;
using TorchSharp;
using Sequential = TorchSharp.Modules.Sequential;
using DataLoader = CifarHelpers.Data.DataLoader;
using static TorchSharp.torch;

namespace CifarHelpers.Training;

/// <summary>The article's training run: SGD, lr 1e-2, batch 64, shuffled, NLLLoss, 100 epochs.</summary>
public static class ArticleRecipe
{
    /// <summary>The article's hyper-parameters.</summary>
    public const int Epochs = 100, BatchSize = 64;

    /// <summary>The article's learning rate.</summary>
    public const double LearningRate = 1e-2;

    /// <summary>
    /// Seeds torch, builds the model and trains it the article's way on <paramref name="train"/> (normalised,
    /// transformed images): SGD on NLLLoss, with the step fused as <see cref="Trainer.FusedSgd"/> does it.
    /// Returns the model and its history.
    /// </summary>
    public static (Sequential Model, TrainingHistory History) Train(ImageDataset train, long seed, int epochs = Epochs,
                                                                   Action<EpochResult>? onEpoch = null, Device? device = null)
    {
        manual_seed(seed);
        var model = FullyConnected.Create();
        if (device is not null) model.to(device);
        using var loader = new DataLoader(train, BatchSize, shuffle: true, seed: seed, device: device);
        var history = Trainer.FusedSgd(model, LearningRate).Fit(loader, epochs, onEpoch);
        return (model, history);
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> into a new model. When there is none, or it cannot be used,
    /// says so on <paramref name="log"/> and trains a model instead (without saving it). The source it returns says
    /// which happened; a load is not logged, so a caller that shows the source shows it once.
    /// </summary>
    public static (Sequential Model, string Source) LoadOrTrain(ImageDataset train, string path, long seed,
                                                                TextWriter? log = null, Action<EpochResult>? onEpoch = null)
    {
        log ??= Console.Out;
        string why;
        try
        {
            if (Checkpoint.TryReadInfo(path) is not null)
            {
                var model = FullyConnected.Create();
                var info = Checkpoint.Load(model, path, FullyConnected.Architecture);
                // Not logged: the caller shows the source (the notebooks put it on their progress line), and logging
                // it too printed the same line twice.
                string source = $"Loaded {path}.bin: {info.Epochs} epochs, seed {info.Seed}" +
                                (info.ValidationAccuracy is { } a ? $", validation accuracy {a:F4}" : "");
                return (model, source);
            }
            why = $"There is no checkpoint at {path}.bin (notebook 08 writes it)";
        }
        catch (CheckpointException e)
        {
            why = $"The checkpoint cannot be used ({e.Message})";
        }
        log.WriteLine($"{why}; training a model here instead ({Epochs} epochs).");
        var (trained, _) = Train(train, seed, Epochs, onEpoch);
        return (trained, $"Trained here for {Epochs} epochs, seed {seed}");
    }
}
