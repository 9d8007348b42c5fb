// KernelGen sample: recognizing hand-written digits with an int8 convolutional network compiled at build time.
//
// DigitsCnnModel.cs declares a small quantized CNN on 8x8x1 images (NHWC) with KernelGen's attributes:
//   [Conv2D] 3x3, 1 -> 8 channels, SAME padding, ReLU  ->  [MaxPool] 2x2 (8x8 -> 4x4)  ->
//   [Conv2D] 3x3, 8 -> 16 channels, SAME padding, ReLU  ->  [Flatten] (4x4x16 = 256)  ->  [Dense] 256 -> 10 logits.
// Its int8 weights live in model/*.bin and reach the generator as AdditionalFiles. When the project builds, KernelGen
// generates DigitsCnnModel.Run: SIMD kernels specialized for these exact shapes, weights and scales. This program
//   1. runs the held-out test images of the UCI digits data set (359 images) through DigitsCnnModel.Run in one call,
//   2. checks the result byte for byte against DigitsCnnModel.RunReference (the runtime's plain scalar reference),
//   3. prints the instruction-set path that ran, a few predictions, the accuracy and an informal timing.
// The accuracy it must print is in model/README.md, computed by the training script's integer model.
//
// Run it from the repository root:   dotnet run --project samples/DigitsCnn -c Release
// Try the other paths:               DOTNET_EnableAVX2=0 dotnet run --project samples/DigitsCnn -c Release
// How the model was trained and quantized: model/README.md.
using System;
using System.Diagnostics;
using System.IO;
using DigitsCnn;

// Each test image is 64 uint8 pixels (8x8x1 NHWC, i.e. row by row), already quantized with the model's input scale 16/255.
byte[] images = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "model", "test-images.bin"));
byte[] labels = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "model", "test-labels.bin"));
int count = labels.Length;
if (images.Length != count * DigitsCnnModel.InputSize)
{
    Console.Error.WriteLine($"test-images.bin holds {images.Length} bytes; expected {count} images of {DigitsCnnModel.InputSize} pixels.");
    return 1;
}

// One call runs the whole batch: the spans hold whole rows, InputSize bytes in and OutputSize logits out per image.
byte[] logits = new byte[count * DigitsCnnModel.OutputSize];
DigitsCnnModel.Run(images, logits);

// The generated kernels must agree exactly with the scalar reference, on every path.
byte[] expected = new byte[logits.Length];
DigitsCnnModel.RunReference(images, expected);
if (!logits.AsSpan().SequenceEqual(expected))
{
    int at = logits.AsSpan().CommonPrefixLength(expected);
    Console.Error.WriteLine(
        $"MISMATCH: DigitsCnnModel.Run ({DigitsCnnModel.ActivePath}) and DigitsCnnModel.RunReference disagree at image {at / DigitsCnnModel.OutputSize}, " +
        $"logit {at % DigitsCnnModel.OutputSize}: Run gave {logits[at]}, RunReference gave {expected[at]}.");
    return 1;
}

Console.WriteLine($"KernelGen digits CNN sample: {count} test images, 8x8x1 = {DigitsCnnModel.InputSize} pixels -> {DigitsCnnModel.OutputSize} logits");
Console.WriteLine($"Kernel path: {DigitsCnnModel.ActivePath}");
Console.WriteLine("Run and RunReference agree on every output byte.");
Console.WriteLine();

const int Shown = 5;
Console.WriteLine($"The first {Shown} test images, their labels and predictions (predicted = largest logit):");
Console.WriteLine();
for (int y = 0; y < 8; y++)
{
    for (int i = 0; i < Shown; i++)
        Console.Write("  " + ImageRow(images.AsSpan(i * DigitsCnnModel.InputSize, DigitsCnnModel.InputSize), y) + "  ");
    Console.WriteLine();
}
Console.WriteLine();
for (int i = 0; i < Shown; i++)
{
    ReadOnlySpan<byte> row = logits.AsSpan(i * DigitsCnnModel.OutputSize, DigitsCnnModel.OutputSize);
    Console.WriteLine($"  image {i}: label {labels[i]}, predicted {Predict(row)}, logits [{string.Join(", ", row.ToArray())}]");
}
Console.WriteLine();

int correct = 0;
for (int i = 0; i < count; i++)
{
    if (Predict(logits.AsSpan(i * DigitsCnnModel.OutputSize, DigitsCnnModel.OutputSize)) == labels[i])
        correct++;
}
Console.WriteLine($"int8 accuracy on the test split: {correct}/{count} = {100.0 * correct / count:F2}%");
Console.WriteLine();

// A rough timing, not a benchmark: one thread, no isolation, whatever else the machine is doing.
// (benchmarks/ holds the BenchmarkDotNet suites.)
double runNs = NanosecondsPerImage(() => DigitsCnnModel.Run(images, logits), count);
double referenceNs = NanosecondsPerImage(() => DigitsCnnModel.RunReference(images, expected), count);
Console.WriteLine("Informal timing (mean per image over repeated whole-batch calls after warm-up; not a benchmark):");
Console.WriteLine($"  DigitsCnnModel.Run          {runNs,10:F1} ns/image");
Console.WriteLine($"  DigitsCnnModel.RunReference {referenceNs,10:F1} ns/image");
return 0;

// The predicted digit is the index of the largest logit (the first one on ties).
static int Predict(ReadOnlySpan<byte> row)
{
    int best = 0;
    for (int j = 1; j < row.Length; j++)
    {
        if (row[j] > row[best])
            best = j;
    }
    return best;
}

// One row of an 8x8 image as text, darker characters for larger pixel values.
static string ImageRow(ReadOnlySpan<byte> image, int y)
{
    const string Ramp = " .:-=+*#%@";
    var text = new char[16];
    for (int x = 0; x < 8; x++)
        text[2 * x] = text[2 * x + 1] = Ramp[image[y * 8 + x] * (Ramp.Length - 1) / 255];
    return new string(text);
}

// Warms up (so the JIT has produced its optimized code), then repeats the batch for about a second.
static double NanosecondsPerImage(Action batch, int imagesPerBatch)
{
    var warmUp = Stopwatch.StartNew();
    while (warmUp.ElapsedMilliseconds < 300)
        batch();

    long batches = 0;
    var timer = Stopwatch.StartNew();
    while (timer.ElapsedMilliseconds < 1000)
    {
        batch();
        batches++;
    }
    return timer.Elapsed.TotalNanoseconds / (batches * imagesPerBatch);
}
