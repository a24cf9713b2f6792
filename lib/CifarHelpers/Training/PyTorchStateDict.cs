using System.Collections;
using CifarHelpers.Text;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CifarHelpers.Training;

/// <summary>
/// PyTorch's own <c>state_dict</c> files, the ones <c>torch.save(model.state_dict(), path)</c> writes and
/// <c>model.load_state_dict(torch.load(path))</c> reads, through TorchSharp.PyBridge. A model crosses the border by
/// its parameters' names and shapes: <c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, <c>2.bias</c> for the article's
/// <c>nn.Sequential</c> (<see cref="Models.FullyConnected"/>), <c>conv1.weight</c> ... <c>fc2.bias</c> for the book's
/// <c>Net</c> (<see cref="Models.ConvNet"/>).
/// </summary>
public static class PyTorchStateDict
{
    /// <summary>
    /// Writes <paramref name="model"/>'s state_dict to <paramref name="path"/> in PyTorch's zip format (PyBridge's
    /// <c>save_py</c>), through a temporary file renamed into place.
    /// </summary>
    public static void Save(nn.Module model, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            model.save_py(temp);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Each key of <paramref name="model"/>'s state_dict and of the file, with its shape in each (null where it is
    /// missing): the model's keys in the model's order, then the file's other keys.
    /// </summary>
    /// <exception cref="CheckpointException">The file is missing or not a PyTorch state_dict file.</exception>
    public static IReadOnlyList<KeyMatch> Match(nn.Module model, string path)
    {
        using var scope = NewDisposeScope();
        return Match(model, path, Read(path));
    }

    /// <summary>
    /// Loads the state_dict file at <paramref name="path"/> into <paramref name="model"/> after checking that every
    /// key the model has is in the file with the same shape, and that the file has no other key. The values are
    /// copied into the model's own tensors, whose <c>requires_grad</c> stays as it was (PyBridge's <c>load_py</c>
    /// would take it from the file, where <c>torch.save(model.state_dict())</c> records <c>False</c>).
    /// </summary>
    /// <exception cref="CheckpointException">
    /// The file is missing, not a state_dict file, lacks a key, has a key the model has not, or holds a tensor of
    /// another shape; the message names each such key.
    /// </exception>
    public static void Load(nn.Module model, string path)
    {
        using var scope = NewDisposeScope();
        var tensors = Read(path);
        var problems = new List<string>();
        foreach (var m in Match(model, path, tensors))
        {
            if (m.InFile is null) problems.Add(Localization.Format($"{path} has no key {m.Key}"));
            else if (m.InModel is null) problems.Add(Localization.Format($"{path} has a key {m.Key} that the model does not have"));
            else if (!m.Fits)
                problems.Add(Localization.Format($"{m.Key} has shape {Shape(m.InFile)} in {path}, the model wants {Shape(m.InModel)}"));
        }
        if (problems.Count > 0) throw new CheckpointException(string.Join(Localization.Text("; "), problems));
        using var noGrad = no_grad();
        foreach (var (key, target) in model.state_dict())
            target.copy_(tensors[key]);
    }

    /// <summary>A shape as PyTorch prints a list: <c>[512, 3072]</c>.</summary>
    public static string Shape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";

    // Every tensor of the file by key, in the caller's dispose scope.
    static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(Localization.Format($"There is no file {path}."));
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception e) when (e is not CheckpointException)
        {
            throw new CheckpointException(Localization.Format($"{path} is not a PyTorch state_dict file: {e.Message}"), e);
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
            if (entry.Key is string key && entry.Value is Tensor tensor) tensors[key] = tensor;
        return tensors;
    }

    static List<KeyMatch> Match(nn.Module model, string path, Dictionary<string, Tensor> tensors)
    {
        var result = new List<KeyMatch>();
        var state = model.state_dict();
        foreach (var (key, t) in state)
            result.Add(new KeyMatch(key, tensors.TryGetValue(key, out var f) ? f.shape : null, t.shape));
        foreach (var key in tensors.Keys.Where(k => !state.ContainsKey(k)).Order(StringComparer.Ordinal))
            result.Add(new KeyMatch(key, tensors[key].shape, null));
        return result;
    }
}

/// <summary>One key of a state_dict: its shape in the file and in the model, null where it is missing.</summary>
public sealed record KeyMatch(string Key, long[]? InFile, long[]? InModel)
{
    /// <summary>In both, with the same shape.</summary>
    public bool Fits => InFile is not null && InModel is not null && InFile.SequenceEqual(InModel);
}
