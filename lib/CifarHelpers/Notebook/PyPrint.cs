using System.Globalization;
using static TorchSharp.torch;

namespace CifarHelpers.Notebook;

/// <summary>
/// Formats values the way Python and PyTorch print them, so that a notebook's output can stand beside the
/// article's printouts line for line: <c>torch.Size([3, 32, 32])</c>, <c>tensor([[0.4481, 0.5519]])</c>,
/// <c>0.6439802646636963</c>, <c>[1572864, 512, 1024, 2]</c>.
/// </summary>
public static class PyPrint
{
    /// <summary>
    /// A float as Python's <c>repr</c> writes it: the shortest text that reads back to the same double, with
    /// <c>.0</c> on whole numbers and a lower-case exponent (<c>1e-05</c>). <c>loss.item()</c> in PyTorch is a
    /// float32 widened to a double; pass <c>(double)value</c> to get the article's digits.
    /// </summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        // .NET's shortest round-trip text has the same digits; it differs in the exponent's form (1E-05).
        string s = value.ToString("R", CultureInfo.InvariantCulture);
        int e = s.IndexOf('E');
        if (e >= 0)
        {
            int exponent = int.Parse(s[(e + 1)..], CultureInfo.InvariantCulture);
            return $"{s[..e]}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
        }
        return s.Contains('.') ? s : s + ".0";
    }

    /// <summary>A shape as PyTorch prints <c>tensor.shape</c>: <c>torch.Size([3, 32, 32])</c>.</summary>
    public static string Size(IEnumerable<long> shape) => $"torch.Size({List(shape)})";

    /// <summary>A list of whole numbers as Python prints it: <c>[1572864, 512, 1024, 2]</c>.</summary>
    public static string List(IEnumerable<long> values) =>
        $"[{string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]";

    /// <summary>A list of floats as Python prints it: <c>[0.8, 0.2, 0.0]</c>.</summary>
    public static string List(IEnumerable<double> values) => $"[{string.Join(", ", values.Select(Float))}]";

    /// <summary>
    /// A 0-, 1- or 2-dimensional floating-point tensor as PyTorch prints it at its default precision, four
    /// decimals: <c>tensor([[-0.8031, -0.5931]])</c>. Larger tensors are refused: they are not printed whole.
    /// </summary>
    public static string Tensor(Tensor values, int decimals = 4)
    {
        if (values.dim() > 2)
            throw new ArgumentException($"PyPrint.Tensor prints up to 2 dimensions; got [{string.Join(", ", values.shape)}].");
        using var scope = NewDisposeScope();
        var numbers = values.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        string format = "0." + new string('0', decimals);
        string Number(double v) => v.ToString(format, CultureInfo.InvariantCulture);
        string body = values.dim() switch
        {
            0 => Number(numbers[0]),
            1 => $"[{string.Join(", ", numbers.Select(Number))}]",
            _ => "[" + string.Join(",\n        ", Enumerable.Range(0, (int)values.shape[0]).Select(row =>
                     $"[{string.Join(", ", numbers.Skip(row * (int)values.shape[1]).Take((int)values.shape[1]).Select(Number))}]")) + "]",
        };
        return $"tensor({body})";
    }
}
