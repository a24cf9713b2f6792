using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace CifarHelpers.Training;

/// <summary>What a checkpoint says about the model it holds and what trained it.</summary>
/// <param name="Architecture">The model's parameters by name and shape (<see cref="Models.ModelSummary.Signature"/>).</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="Seed">The seed of the run.</param>
/// <param name="ValidationAccuracy">The validation accuracy at save time, if measured.</param>
/// <param name="LibraryVersion">The CifarHelpers version that wrote it.</param>
/// <param name="SavedUtc">When it was written.</param>
public sealed record CheckpointInfo(string Architecture, int Epochs, long Seed, double? ValidationAccuracy,
                                    string LibraryVersion, DateTime SavedUtc)
{
    /// <summary>How many training images it saw per epoch; null when not recorded.</summary>
    public long? TrainImages { get; init; }

    /// <summary>The class names, by label; null when not recorded.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>
    /// The per-channel mean the training images were normalised with: a picture to classify must be normalised the
    /// same way, so this is all inference needs of the data. Null when not recorded.
    /// </summary>
    public IReadOnlyList<double>? Mean { get; init; }

    /// <summary>The per-channel std the training images were normalised with; null when not recorded.</summary>
    public IReadOnlyList<double>? Std { get; init; }

    /// <summary>
    /// The metadata of <paramref name="model"/> trained for <paramref name="epochs"/> epochs from
    /// <paramref name="seed"/> on <paramref name="train"/>, normalised with <paramref name="stats"/>, written now by
    /// this library.
    /// </summary>
    public static CheckpointInfo For(nn.Module model, int epochs, long seed, Data.ImageDataset train, Data.ChannelStats stats,
                                     double? validationAccuracy = null) =>
        new(Models.ModelSummary.Signature(model), epochs, seed, validationAccuracy, Checkpoint.LibraryVersion, DateTime.UtcNow)
        {
            TrainImages = train.Count, Classes = [.. train.Classes], Mean = [.. stats.Mean], Std = [.. stats.Std],
        };
}

/// <summary>
/// Saves and loads a model's weights (TorchSharp's format) with a JSON file of metadata beside them.
/// Both are written to temporary files and renamed into place, weights first. The metadata records the weights'
/// SHA-256 and is renamed last, and a load checks it: a save cut off between the two renames (new weights, old
/// metadata) is refused on load, never read as a checkpoint.
/// </summary>
public static class Checkpoint
{
    /// <summary>The version of this library.</summary>
    public static string LibraryVersion { get; } =
        typeof(Checkpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    const string HashKey = "WeightsSha256";

    /// <summary>Writes <c>&lt;path&gt;.bin</c> (weights) and <c>&lt;path&gt;.json</c> (metadata, with the weights' hash).</summary>
    public static void Save(nn.Module model, string path, CheckpointInfo info)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string weights = path + ".bin", meta = path + ".json";
        string tempWeights = $"{weights}.{Environment.ProcessId}.tmp", tempMeta = $"{meta}.{Environment.ProcessId}.tmp";
        try
        {
            model.save(tempWeights);
            var json = JsonSerializer.SerializeToNode(info, Json)!.AsObject();
            json[HashKey] = Sha256(tempWeights);
            File.WriteAllText(tempMeta, json.ToJsonString(Json));
            File.Move(tempWeights, weights, overwrite: true);
            File.Move(tempMeta, meta, overwrite: true);
        }
        finally
        {
            File.Delete(tempWeights);
            File.Delete(tempMeta);
        }
    }

    static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Reads a checkpoint's metadata, or null when there is no checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointException">The metadata is unreadable.</exception>
    public static CheckpointInfo? TryReadInfo(string path)
    {
        string meta = path + ".json";
        if (!File.Exists(meta) || !File.Exists(path + ".bin")) return null;
        try
        {
            return JsonSerializer.Deserialize<CheckpointInfo>(File.ReadAllText(meta), Json)
                   ?? throw new CheckpointException($"{meta} is empty.");
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{meta} is not checkpoint metadata: {e.Message}", e);
        }
    }

    /// <summary>
    /// Loads the weights into <paramref name="model"/> after checking that they fit it: the checkpoint's recorded
    /// architecture must be the model's own <see cref="Models.ModelSummary.Signature"/>.
    /// </summary>
    /// <exception cref="CheckpointException">Missing, foreign, truncated, or of another architecture.</exception>
    public static CheckpointInfo Load(nn.Module model, string path)
    {
        var info = TryReadInfo(path) ?? throw new CheckpointException($"There is no checkpoint at {path}.bin / .json.");
        string architecture = Models.ModelSummary.Signature(model);
        if (info.Architecture != architecture)
            throw new CheckpointException($"{path} holds a model with the parameters {info.Architecture}, not {architecture}.");
        string? expected;
        try
        {
            expected = JsonNode.Parse(File.ReadAllText(path + ".json"))?[HashKey]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new CheckpointException($"{path}.json is not checkpoint metadata: {e.Message}", e);
        }
        if (expected is null)
            throw new CheckpointException($"{path}.json records no hash of the weights (an older or foreign file). Train and save the model again.");
        if (Sha256(path + ".bin") != expected)
            throw new CheckpointException(
                $"{path}.bin does not match its metadata {path}.json (a save was cut off, or a file was replaced). Train and save the model again.");
        try
        {
            model.load(path + ".bin");
        }
        catch (Exception e) when (e is not CheckpointException)
        {
            throw new CheckpointException($"{path}.bin cannot be loaded into {architecture}: {e.Message}", e);
        }
        return info;
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
}

/// <summary>A checkpoint is missing, foreign, truncated or of another architecture.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);
