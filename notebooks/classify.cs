// Classifies pictures of your own with the tutorial's trained model: airplane or bird.
//     dotnet run notebooks/classify.cs -- my-picture.jpg other.png
//     dotnet run notebooks/classify.cs -- --model cnn my-picture.jpg
// Prints one line per file, `FILE: airplane 0.1234, bird 0.8766 -> bird`, and exits 0 when every file was
// classified. A file that is missing, not a picture, cut short, or larger than the limit (40 megapixels, read from
// its header before anything is decoded) gets one line on standard error with the reason; the other files are still
// classified, and the exit code is 1. The model is the checkpoint notebook 08 (fc) or notebook 11 (cnn) saved in
// data/models/; a picture is cut to its centre square, reduced to 32 × 32 by area averaging, and normalised with the
// mean and std the checkpoint recorded (lib/CifarHelpers/Inference). Notebook 13 explains each step.
// Copy this file anywhere: only the #:project line below must point at lib/CifarHelpers.
#:property PublishAot=false
#:project ../lib/CifarHelpers/CifarHelpers.csproj
#:package TorchSharp

using System.Globalization;
using CifarHelpers.Inference;
using CifarHelpers.Runtime;
using CifarHelpers.Training;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string fileDir = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".";
string models = Path.GetFullPath(Path.Combine(fileDir, "..", "data", "models"));

const string Usage = """
    Usage: dotnet run notebooks/classify.cs -- [--model fc|cnn] [--checkpoint PATH] [--max-pixels N] FILE...
      --model fc|cnn     the fully connected net of notebook 08 (default) or the CNN of notebook 11
      --checkpoint PATH  another checkpoint: PATH.bin and PATH.json, as Checkpoint.Save writes them
      --max-pixels N     refuse pictures larger than N pixels (default 40000000), checked in the header
    """;

string model = "fc";
string? checkpoint = null;
long maxPixels = ImageInput.DefaultMaxPixels;
bool reportPeak = false; // hidden: the tests read the process's peak memory
var files = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        case "--model" when i + 1 < args.Length && args[i + 1] is "fc" or "cnn":
            model = args[++i];
            break;
        case "--checkpoint" when i + 1 < args.Length:
            checkpoint = args[++i];
            break;
        case "--max-pixels" when i + 1 < args.Length && long.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
            maxPixels = n;
            i++;
            break;
        case "--report-peak":
            reportPeak = true;
            break;
        case "--":
            files.AddRange(args[(i + 1)..]);
            i = args.Length;
            break;
        case var a when a.StartsWith("--", StringComparison.Ordinal):
            Console.Error.WriteLine($"error: unknown option or missing value: {a}\n{Usage}");
            return 2;
        default:
            files.Add(args[i]);
            break;
    }
}
if (files.Count == 0)
{
    Console.Error.WriteLine($"error: no picture given.\n{Usage}");
    return 2;
}

checkpoint ??= Path.Combine(models, model == "fc" ? "birds-airplanes-fc" : "birds-airplanes-cnn");
if (Checkpoint.TryReadInfo(checkpoint) is null)
{
    string trains = model == "fc" ? "dotnet run notebooks/en/08-training.cs" : "dotnet run notebooks/en/11-convolutional-network.cs";
    Console.Error.WriteLine($"error: there is no checkpoint at {checkpoint}.bin / .json. Train one first: {trains} " +
                            $"(or run notebook {(model == "fc" ? "08" : "11")}).");
    return 1;
}

TorchRuntime.Initialize(keepFreedBuffers: false);
Classifier classifier;
try
{
    classifier = Classifier.Load(checkpoint);
}
catch (CheckpointException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

int failed = 0;
using (classifier)
{
    foreach (var file in files)
    {
        try
        {
            Console.WriteLine($"{file}: {classifier.Classify(file, maxPixels)}");
        }
        catch (ImageInputException e)
        {
            failed++;
            Console.Error.WriteLine($"{file}: {e.Message}");
        }
    }
}

if (reportPeak && File.Exists("/proc/self/status"))
    Console.Error.WriteLine(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)));
return failed == 0 ? 0 : 1;
