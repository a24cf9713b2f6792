using CifarHelpers.Text;
using System.Globalization;
using CifarHelpers.Data;
using CifarHelpers.Models;
using TorchSharp;
using Sequential = TorchSharp.Modules.Sequential;
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
        using var loader = new BatchLoader(train, BatchSize, shuffle: true, seed: seed, device: device);
        var history = Trainer.FusedSgd(model, LearningRate).Fit(loader, epochs, onEpoch);
        return (model, history);
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> into a new model when it was trained by this recipe: the
    /// article's model, <paramref name="epochs"/> epochs from <paramref name="seed"/>, on as many images as
    /// <paramref name="train"/> has, of its classes, normalised with <paramref name="stats"/>. Otherwise, or when
    /// there is none or it cannot be read, it says on one line of <paramref name="log"/> why it does not use it, and
    /// trains a model instead (without saving it). The source it returns says which happened; a load is not logged,
    /// so a caller that shows the source shows it once.
    /// </summary>
    public static (Sequential Model, string Source) LoadOrTrain(ImageDataset train, ChannelStats stats, string path, long seed,
                                                                int epochs = Epochs, TextWriter? log = null,
                                                                Action<EpochResult>? onEpoch = null)
    {
        log ??= Console.Out;
        string why;
        try
        {
            if (Checkpoint.TryReadInfo(path) is { } info)
            {
                var model = FullyConnected.Create();
                why = Mismatch(info, ModelSummary.Signature(model), train, stats, seed, epochs) ?? "";
                if (why.Length == 0)
                {
                    Checkpoint.Load(model, path);
                    return (model, Localization.Format(
                        $"Loaded {path}.bin: {info.Epochs} epochs, seed {info.Seed}, validation accuracy {info.ValidationAccuracy ?? double.NaN:F4}"));
                }
                model.Dispose();
                why = Localization.Format($"Not using {path}.bin: {why}");
            }
            else why = Localization.Format($"There is no checkpoint at {path}.bin (notebook 08 writes it)");
        }
        catch (CheckpointException e)
        {
            why = Localization.Format($"The checkpoint cannot be used ({e.Message})");
        }
        log.WriteLine(Localization.Format($"{why}; training a model here instead ({epochs} epochs)."));
        var (trained, _) = Train(train, seed, epochs, onEpoch);
        return (trained, Localization.Format($"Trained here for {epochs} epochs, seed {seed}"));
    }

    /// <summary>Why a checkpoint is not this recipe's run, in a few words; null when it is.</summary>
    internal static string? Mismatch(CheckpointInfo info, string architecture, ImageDataset train, ChannelStats stats, long seed, int epochs)
    {
        static string List(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)));
        if (info.Architecture != architecture) return Localization.Format($"it holds another model ({info.Architecture})");
        if (info.Epochs != epochs) return Localization.Format($"it was trained for {info.Epochs} epochs, not {epochs}");
        if (info.Seed != seed) return Localization.Format($"it was trained from seed {info.Seed}, not {seed}");
        if (info.TrainImages is null || info.Mean is null || info.Std is null || info.Classes is null)
            return Localization.Text("it does not record the data it was trained on");
        if (info.TrainImages != train.Count || !info.Classes.SequenceEqual(train.Classes))
            return Localization.Format($"it was trained on {info.TrainImages} images of {string.Join(", ", info.Classes)}, not {train.Count} of {string.Join(", ", train.Classes)}");
        bool Close(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Count == b.Count && a.Zip(b).All(p => Math.Abs(p.First - p.Second) < 1e-6);
        if (!Close(info.Mean, stats.Mean) || !Close(info.Std, stats.Std))
            return Localization.Format($"its images were normalised with mean ({List(info.Mean)}) and std ({List(info.Std)}), not ({List(stats.Mean)}) and ({List(stats.Std)})");
        return null;
    }
}
