using System.Text.RegularExpressions;
using NotebookRunner;

namespace CifarHelpers.Tests;

/// <summary>
/// What the notebooks' prose says about their own output, asserted on every executed copy (both clients, both
/// editions): the split sizes and class names (01), ToTensor's values (02), the batches of an epoch (05), the order
/// of the validation labels (09).
/// </summary>
[Trait("Category", "Notebook")]
[Collection("notebooks")]
public class NotebookClaimsTests(NotebookSeries series)
{
    static void HasLine(string text, string line) =>
        Assert.True(Regex.IsMatch(text, "^" + Regex.Escape(line) + @"\r?$", RegexOptions.Multiline), $"no line '{line}'");

    [Theory]
    [MemberData(nameof(NotebookTests.Runs), MemberType = typeof(NotebookTests))]
    public void ThePrintedLinesThatTheProseDescribesAreThere(Client client, string edition)
    {
        // 01: "50,000 training and 10,000 test images", ten classes, airplane is 0 and bird is 2.
        string text01 = series.Get(client, edition, "01").Text;
        HasLine(text01, "cifar10.Count    = 50000");
        HasLine(text01, "cifar10Val.Count = 10000");
        HasLine(text01, "0: airplane");
        HasLine(text01, "2: bird");
        HasLine(text01, "9: truck");
        // 02: ToTensor on the whole dataset gives what it gives on one image.
        HasLine(series.Get(client, edition, "02").Text, "same values as toTensor.Apply(img): True");
        // 05: "157 batches, the last of 16".
        HasLine(series.Get(client, edition, "05").Text, "157 batches per epoch; the last one holds 16 images");
        // 09: the raw images shown beside the predictions are the same images, in the same order.
        HasLine(series.Get(client, edition, "09").Text, "Same labels in the same order: True");
    }
}
