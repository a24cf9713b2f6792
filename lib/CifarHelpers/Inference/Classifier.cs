using System.Globalization;
using CifarHelpers.Models;
using CifarHelpers.Training;
using static TorchSharp.torch;

namespace CifarHelpers.Inference;

/// <summary>
/// A trained model ready to classify pictures: its weights from a checkpoint, in evaluation mode, with the
/// normalisation its training used (the checkpoint's recorded mean and std) and its class names. No data set is
/// needed. The model is one of the tutorial's two, recognised by the parameters the checkpoint records: the article's
/// fully connected net (<see cref="FullyConnected"/>) or the book's <see cref="ConvNet"/>.
/// </summary>
/// <example>
/// <code>
/// using var classifier = Classifier.Load("data/models/birds-airplanes-fc");
/// Console.WriteLine(classifier.Classify("my-picture.jpg")); // airplane 0.1234, bird 0.8766 -> bird
/// </code>
/// </example>
public sealed class Classifier : IDisposable
{
    readonly nn.Module<Tensor, Tensor> _model;

    /// <summary>
    /// Wraps <paramref name="model"/>, already loaded, and the metadata of its checkpoint; puts the model in evaluation mode.
    /// </summary>
    /// <param name="model">The model: it takes a batch <c>[B, 3, 32, 32]</c>, or <c>[B, 3072]</c> when <paramref name="flatten"/>.</param>
    /// <param name="info">Its checkpoint's metadata: the mean, std and classes must be recorded.</param>
    /// <param name="flatten">Whether the model takes each picture as one row of 3,072 values (the fully connected net).</param>
    /// <exception cref="CheckpointException">The metadata records no mean, std or classes.</exception>
    public Classifier(nn.Module<Tensor, Tensor> model, CheckpointInfo info, bool flatten)
    {
        _model = model;
        Info = info;
        Flatten = flatten;
        if (info.Mean is not { Count: 3 } || info.Std is not { Count: 3 } || info.Classes is not { Count: > 0 })
            throw new CheckpointException("The checkpoint records no normalisation (mean and std of 3 channels) or no class names " +
                                          "(written by an older version): train and save the model again.");
        model.eval();
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> (<c>&lt;path&gt;.bin</c> and <c>.json</c>, as
    /// <see cref="Checkpoint.Save"/> writes them) into the model its recorded parameters name.
    /// </summary>
    /// <exception cref="CheckpointException">Missing, damaged, of another model, or without its normalisation.</exception>
    public static Classifier Load(string path)
    {
        var info = Checkpoint.TryReadInfo(path) ?? throw new CheckpointException($"There is no checkpoint at {path}.bin / .json.");
        int classes = info.Classes?.Count ?? 2;
        nn.Module<Tensor, Tensor> model = FullyConnected.Create(classes: classes);
        bool flatten = true;
        if (info.Architecture != ModelSummary.Signature(model))
        {
            model.Dispose();
            model = new ConvNet(classes);
            flatten = false;
            if (info.Architecture != ModelSummary.Signature(model))
            {
                model.Dispose();
                throw new CheckpointException($"{path} holds a model with the parameters {info.Architecture}: neither the fully connected net nor ConvNet.");
            }
        }
        try
        {
            return new Classifier(model, Checkpoint.Load(model, path), flatten);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The checkpoint's metadata: what trained the model, and the mean and std of its training images.</summary>
    public CheckpointInfo Info { get; }

    /// <summary>The class names, by label.</summary>
    public IReadOnlyList<string> Classes => Info.Classes!;

    /// <summary>Whether the model takes each picture flattened to 3,072 values.</summary>
    public bool Flatten { get; }

    /// <summary>The model, in evaluation mode.</summary>
    public nn.Module<Tensor, Tensor> Model => _model;

    /// <summary>
    /// The probability of each class for pictures in [0, 1] (as <see cref="ImageInput.Load"/> gives them), one
    /// <c>[3, 32, 32]</c> or a batch <c>[B, 3, 32, 32]</c>: normalised with the checkpoint's mean and std, scored with
    /// no gradients, then softmax. Returns <c>[B, classes]</c>.
    /// </summary>
    public Tensor Probabilities(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = images.dim() == 3 ? images.unsqueeze(0) : images;
        var input = ImageInput.Normalize(batch, Info.Mean!, Info.Std!);
        if (Flatten) input = input.reshape(input.shape[0], -1);
        // The fully connected net ends in LogSoftmax, the CNN gives logits: softmax turns either into probabilities.
        return nn.functional.softmax(_model.forward(input), 1).MoveToOuterDisposeScope();
    }

    /// <summary>Classifies one picture <c>[3, 32, 32]</c> in [0, 1].</summary>
    public Prediction Classify(Tensor image)
    {
        using var probabilities = Probabilities(image);
        return new Prediction(Classes, [.. probabilities[0].to_type(ScalarType.Float64).data<double>()]);
    }

    /// <summary>Reads the picture in <paramref name="path"/> (<see cref="ImageInput.Load"/>) and classifies it.</summary>
    /// <exception cref="ImageInputException">The file is missing, not a picture, cut short, or too large.</exception>
    public Prediction Classify(string path, long maxPixels = ImageInput.DefaultMaxPixels)
    {
        using var image = ImageInput.Load(path, maxPixels);
        return Classify(image);
    }

    /// <summary>Disposes the model.</summary>
    public void Dispose() => _model.Dispose();
}

/// <summary>A picture's classification: each class's probability, and the most probable class.</summary>
/// <param name="Classes">The class names, by label.</param>
/// <param name="Probabilities">The probability of each class, by label.</param>
public sealed record Prediction(IReadOnlyList<string> Classes, IReadOnlyList<double> Probabilities)
{
    /// <summary>The label of the most probable class (the first, on a tie).</summary>
    public int Label
    {
        get
        {
            int best = 0;
            for (int i = 1; i < Probabilities.Count; i++)
                if (Probabilities[i] > Probabilities[best]) best = i;
            return best;
        }
    }

    /// <summary>The name of the most probable class.</summary>
    public string ClassName => Classes[Label];

    /// <summary>The probability of the most probable class: how sure the model is.</summary>
    public double Confidence => Probabilities[Label];

    /// <summary>Each class with its probability, then the choice: <c>airplane 0.1234, bird 0.8766 -> bird</c>.</summary>
    public override string ToString() =>
        string.Join(", ", Classes.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{c} {Probabilities[i]:F4}"))) + $" -> {ClassName}";
}
