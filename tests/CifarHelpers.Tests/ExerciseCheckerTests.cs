using CifarHelpers.Data;
using CifarHelpers.Exercises;
using CifarHelpers.Runtime;
using CifarHelpers.Text;
using TorchSharp;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace CifarHelpers.Tests;

/// <summary>
/// Issue 27: each of notebook 12's checkers, fed plausible wrong answers and a right one: the verdict, the hint that
/// names the first thing wrong, and the one line it prints. A checker never throws for a wrong answer.
/// </summary>
[Trait("Category", "Unit")]
[Collection("language")]
public class ExerciseCheckerTests
{
    public ExerciseCheckerTests()
    {
        TorchRuntime.Initialize();
        Localization.Use(Localization.English);
    }

    static Verdict Check(Func<Verdict> check, bool solved, string hint)
    {
        var captured = new StringWriter();
        Exercise.Output.Value = captured;
        Verdict verdict;
        try { verdict = check(); }
        finally { Exercise.Output.Value = null; }
        Assert.Equal(solved, verdict.Solved);
        Assert.Contains(hint, verdict.Detail);
        string printed = captured.ToString().TrimEnd('\r', '\n');
        Assert.DoesNotContain('\n', printed);
        Assert.Equal(verdict.Line, printed);
        Assert.Matches(solved ? $@"^Exercise {verdict.Number}: solved — \S" : $@"^Exercise {verdict.Number}: not yet — \S", printed);
        return verdict;
    }

    // Exercise 1: the channel mean and std.
    [Fact]
    public void Check1TellsAnUnwrittenFunctionMixedChannelsABiasedStdAndAViewAfterTransposeFromTheRightAnswer()
    {
        Check(() => Exercise.Check1(_ => throw new NotImplementedException()), false, "write the function");
        Check(() => Exercise.Check1(x => (x.view(3, -1).mean([1]), x.view(3, -1).std(1))), false, "mix the channels");
        Check(() => Exercise.Check1(x => (x.transpose(0, 1).reshape(3, -1).mean([1]), x.transpose(0, 1).reshape(3, -1).std(1, unbiased: false))),
              false, "divides by n");
        Check(() => Exercise.Check1(x => (x.transpose(0, 1).view(3, -1).mean([1]), x.transpose(0, 1).view(3, -1).std(1))), false, "reshape(3, -1)");
        Check(() => Exercise.Check1(x => (x.mean(), x.std())), false, "expected [3] each");
        Check(() => Exercise.Check1(x => (x.transpose(0, 1).reshape(3, -1).mean([1]), x.transpose(0, 1).reshape(3, -1).std(1))), true, "ChannelStats.Of");
    }

    // Exercise 2: a stable log-softmax.
    [Fact]
    public void Check2RejectsTheNaiveFormulaTheWrongDimensionAndAMissingNormalisationAndAcceptsTheStableOne()
    {
        Check(() => Exercise.Check2(x => x.softmax(1).log()), false, "inf or NaN");
        Check(() => Exercise.Check2(x => (x.exp() / x.exp().sum(1, keepdim: true)).log()), false, "inf or NaN");
        Check(() => Exercise.Check2(x => x.log_softmax(0)), false, "dim 0");
        Check(() => Exercise.Check2(x => x - x.max(1, keepdim: true).values), false, "sum to 1");
        Check(() => Exercise.Check2(x => x.sum(1)), false, "shape [5]");
        Check(() => Exercise.Check2(x =>
        {
            var shifted = x - x.max(1, keepdim: true).values;
            return shifted - shifted.exp().sum(1, keepdim: true).log();
        }), true, "finite at logits of ±1000");
    }

    // Exercise 3: the validation loop.
    static double Loop(nn.Module<Tensor, Tensor> model, IEnumerable<(Tensor Images, Tensor Labels)> loader, bool eval = true, bool noGrad = true,
                       bool flatten = true, bool lastBatchOnly = false)
    {
        if (eval) model.eval();
        using var grad = noGrad ? no_grad() : null;
        long correct = 0, total = 0;
        foreach (var (imgs, labels) in loader)
        {
            var outputs = model.forward(flatten ? imgs.view(imgs.shape[0], -1) : imgs);
            long hits = (outputs.argmax(1) == labels).sum().item<long>();
            if (lastBatchOnly) { correct = hits; total = labels.shape[0]; }
            else { correct += hits; total += labels.shape[0]; }
        }
        return (double)correct / total;
    }

    [Fact]
    public void Check3NamesAForgottenEvalNoGradOrFlattenAndAWrongCountAndAcceptsTheArticlesLoop()
    {
        Check(() => Exercise.Check3((m, l) => Loop(m, l, eval: false)), false, "model.eval()");
        Check(() => Exercise.Check3((m, l) => Loop(m, l, noGrad: false)), false, "no_grad()");
        Check(() => Exercise.Check3((m, l) => Loop(m, l, flatten: false)), false, "imgs.view(imgs.shape[0], -1)");
        Check(() => Exercise.Check3((m, l) => Loop(m, l, lastBatchOnly: true)), false, "divide by the number of images");
        Check(() => Exercise.Check3((m, l) => Loop(m, l.Take(1))), false, "every batch");
        Check(() => Exercise.Check3((m, l) => Loop(m, l)), true, "the same as Evaluator.Evaluate");
    }

    // Exercise 4: random crops.
    static Tensor Crop(Tensor img, Func<long> dy, Func<long> dx, double fill = 0)
    {
        using var padded = nn.functional.pad(img, [4, 4, 4, 4], value: fill);
        return padded.narrow(1, dy(), 32).narrow(2, dx(), 32).clone();
    }

    [Fact]
    public void Check4NamesTheSameWindowAOneWayMoveAWrongPaddingAndAChangedInputAndAcceptsARandomCrop()
    {
        var random = new Random(4);
        Check(() => Exercise.Check4(img => img.clone()), false, "the same window every time (offset 4, 4)");
        Check(() => Exercise.Check4(img => Crop(img, () => 4, () => random.Next(9))), false, "only left and right");
        Check(() => Exercise.Check4(img => Crop(img, () => random.Next(9), () => 4)), false, "only up and down");
        Check(() => Exercise.Check4(img => Crop(img, () => random.Next(9), () => random.Next(9), fill: 1)), false, "not a 32 × 32 window");
        Check(() => Exercise.Check4(img => img.narrow(1, 0, 28)), false, "expected [3, 32, 32]");
        Check(() => Exercise.Check4(img => img.add_(1)), false, "changed the image");
        Check(() => Exercise.Check4(img => Crop(img, () => random.Next(9), () => random.Next(9))), true, "different offsets of the 81 possible");
    }

    // Exercise 5: MSE.
    [Fact]
    public void Check5NamesLogProbabilitiesASumTwoClassesOnlyAndADetachedLossAndAcceptsMse()
    {
        static Tensor OneHot(Tensor labels, long classes) => nn.functional.one_hot(labels, classes).to_type(ScalarType.Float32);
        Check(() => Exercise.Check5((lp, y) => nn.functional.mse_loss(lp, OneHot(y, lp.shape[1]))), false, "take exp()");
        Check(() => Exercise.Check5((lp, y) => (lp.exp() - OneHot(y, lp.shape[1])).pow(2).sum()), false, "summed the squared errors");
        Check(() => Exercise.Check5((lp, y) => nn.functional.mse_loss(lp.exp(), OneHot(y, 2))), false, "logProbs.shape[1]");
        Check(() => Exercise.Check5((lp, y) => nn.functional.mse_loss(lp.exp(), OneHot(y, lp.shape[1])).detach()), false, "no gradient");
        Check(() => Exercise.Check5((lp, y) => (lp.exp() - OneHot(y, lp.shape[1])).pow(2)), false, "one value");
        Check(() => Exercise.Check5((lp, y) => nn.functional.nll_loss(lp, y)), false, "the mean squared error between the probabilities");
        Check(() => Exercise.Check5((lp, y) => nn.functional.mse_loss(lp.exp(), OneHot(y, lp.shape[1]))), true, "with 2 classes and with 3");
    }

    // Exercise 6: a smaller net. Tiny synthetic data: 3072 random values per image.
    static ImageDataset Synthetic(int seed, int count = 200)
    {
        using var g = new Generator((ulong)seed);
        return new ImageDataset(randn([count, 3, 32, 32], generator: g), randint(0, 2, [count], generator: g), ["airplane", "bird"]);
    }

    static Sequential Net(int hidden) => nn.Sequential(nn.Linear(3072, hidden), nn.Tanh(), nn.Linear(hidden, 2), nn.LogSoftmax(dim: 1));

    [Fact]
    public void Check6ChecksTheBuilderTheAnswersRangeAndTheGapItMeasures()
    {
        using var train = Synthetic(1);
        using var val = Synthetic(2);
        Check(() => Exercise.Check6(_ => throw new NotImplementedException(), 2, train, val), false, "write the function");
        Check(() => Exercise.Check6(h => nn.Sequential(nn.Linear(3072, h), nn.Tanh(), nn.Linear(h, 2)), 2, train, val), false, "LogSoftmax(dim: 1)");
        Check(() => Exercise.Check6(h => nn.Sequential(nn.Linear(3072, 2 * h), nn.Tanh(), nn.Linear(2 * h, 2), nn.LogSoftmax(1)), 2, train, val),
              false, "parameters, expected");
        Check(() => Exercise.Check6(Net, 0, train, val), false, "set largestHidden");
        Check(() => Exercise.Check6(Net, 1024, train, val), false, "at most 512");
        Assert.True(Exercise.Builds(Net));
        Assert.False(Exercise.Builds(_ => throw new NotImplementedException()));
        // Random labels: the net learns its training images and nothing that carries over, a gap far above 0.04.
        Check(() => Exercise.Check6(Net, 8, train, val), false, "still overfits");
        // Validating on the training images themselves: no gap at any size, so the largest size, 512, is the answer.
        Check(() => Exercise.Check6(Net, 128, train, train), false, "512 hidden units do not overfit either");
        Check(() => Exercise.Check6(Net, 512, train, train), true, "gap 0.0000 with 512 hidden units");
    }

    [Fact]
    public void TheLineIsLocalised()
    {
        try
        {
            Localization.Use(Localization.Chinese);
            Assert.Equal("练习3：还没有——请写出这个函数：它仍然抛出`NotImplementedException`",
                         new Verdict(3, false, Localization.Text("write the function: it still throws NotImplementedException")).Line);
            Assert.StartsWith("练习4：已完成——", new Verdict(4, true, "x").Line);
        }
        finally
        {
            Localization.Use(Localization.English);
        }
    }
}
