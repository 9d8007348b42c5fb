#!/usr/bin/python3
"""Train a small MLP on the UCI hand-written digits and quantize it for KernelGen.

Run from anywhere (numpy is the only dependency; the data comes from Debian's python3-sklearn package):

    sudo apt-get install -y python3-numpy python3-sklearn
    /usr/bin/python3 samples/Digits/train/train_and_quantize.py

What it does:

1. Loads the 1797 8x8 digit images (pixels 0..16) and holds out 20% as a test split (fixed seed).
2. Trains 64 -> 32 (ReLU) -> 10 in float32 with plain numpy (mini-batch Adam, softmax cross-entropy).
3. Quantizes post-training, following KernelGen's arithmetic contract (real = scale * (q - zero_point)):
   - input: uint8, scale 16/255, zero point 0 (pixel values 0..16 map to 0..255);
   - fc1 weights: int8, symmetric, one scale per output channel (max|w| / 127);
   - fc2 weights: int8, symmetric, one scale for the tensor;
   - biases: int32, round(b / (input_scale * weight_scale)), zero point 0;
   - hidden activations and logits: uint8, scale and zero point from the min/max seen on the training set.
4. Simulates the integer model exactly as KernelGen's scalar reference computes it (TFLite fixed-point
   requantization) to report the int8 accuracy next to the float one.
5. Writes model/*.bin, model/README.md and ../DigitsModel.cs (the [QuantizedModel] / [Dense] declaration).
"""

import gzip
import math
import os
import sys

import numpy as np

SEED = 20261124
TEST_FRACTION = 0.2
HIDDEN = 32
CLASSES = 10
EPOCHS = 60
BATCH = 32
LEARNING_RATE = 3e-3
WEIGHT_DECAY = 1e-4

DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.dirname(HERE)
MODEL_DIR = os.path.join(SAMPLE, "model")

F32 = np.float32


# ----------------------------------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------------------------------

def load_digits():
    if not os.path.exists(DATA):
        sys.exit(f"{DATA} not found: install it with `apt-get install -y python3-sklearn`.")
    with gzip.open(DATA, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    pixels, labels = table[:, :64], table[:, 64]
    assert pixels.shape == (1797, 64) and pixels.min() == 0 and pixels.max() == 16
    assert set(labels.tolist()) == set(range(CLASSES))
    return pixels, labels


def split(pixels, labels, rng):
    order = rng.permutation(len(labels))
    n_test = int(round(TEST_FRACTION * len(labels)))
    test, train = order[:n_test], order[n_test:]
    return pixels[train], labels[train], pixels[test], labels[test]


# ----------------------------------------------------------------------------------------------------------------------
# Float training (the model sees pixel / 16; the 1/16 is folded into fc1's weights before quantization)
# ----------------------------------------------------------------------------------------------------------------------

def forward(x, w1, b1, w2, b2):
    pre = x @ w1.T + b1
    hidden = np.maximum(pre, F32(0))
    return pre, hidden, hidden @ w2.T + b2


def train(x, y, rng):
    def he(fan_out, fan_in):
        return (rng.standard_normal((fan_out, fan_in)) * math.sqrt(2.0 / fan_in)).astype(F32)

    params = [he(HIDDEN, 64), np.zeros(HIDDEN, F32), he(CLASSES, HIDDEN), np.zeros(CLASSES, F32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    onehot = np.eye(CLASSES, dtype=F32)[y]
    step = 0
    for _ in range(EPOCHS):
        order = rng.permutation(len(y))
        for start in range(0, len(y), BATCH):
            idx = order[start:start + BATCH]
            xb, tb = x[idx], onehot[idx]
            w1, b1, w2, b2 = params
            pre, hidden, logits = forward(xb, w1, b1, w2, b2)
            logits = logits - logits.max(axis=1, keepdims=True)
            prob = np.exp(logits)
            prob /= prob.sum(axis=1, keepdims=True)
            d_logits = (prob - tb) / F32(len(idx))
            d_hidden = d_logits @ w2
            d_pre = d_hidden * (pre > 0)
            grads = [d_pre.T @ xb + F32(WEIGHT_DECAY) * w1, d_pre.sum(axis=0),
                     d_logits.T @ hidden + F32(WEIGHT_DECAY) * w2, d_logits.sum(axis=0)]
            step += 1
            for i, g in enumerate(grads):
                m[i] = F32(beta1) * m[i] + F32(1 - beta1) * g
                v[i] = F32(beta2) * v[i] + F32(1 - beta2) * g * g
                m_hat = m[i] / F32(1 - beta1 ** step)
                v_hat = v[i] / F32(1 - beta2 ** step)
                params[i] = (params[i] - F32(LEARNING_RATE) * m_hat / (np.sqrt(v_hat) + F32(eps))).astype(F32)
    return params


# ----------------------------------------------------------------------------------------------------------------------
# Quantization (scales are float32, as the C# attributes hold them)
# ----------------------------------------------------------------------------------------------------------------------

def quantize_linear(x, scale, zero_point, qmin, qmax):
    """ONNX QuantizeLinear: saturate(round_half_to_even(x / scale) + zero_point), the division in float32."""
    q = np.rint(x.astype(F32) / F32(scale)).astype(np.int64) + zero_point
    return np.clip(q, qmin, qmax)


def calibrate_uint8(lo, hi):
    """Asymmetric uint8 parameters for an observed float range (widened to contain 0)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = F32((hi - lo) / 255.0)
    zero_point = int(np.clip(round(-lo / float(scale)), 0, 255))
    return scale, zero_point


def symmetric_int8(w, per_channel):
    """int8 weights with zero point 0; scale = max|w| / 127 per output row or for the whole tensor."""
    if per_channel:
        scales = (np.abs(w).max(axis=1) / F32(127)).astype(F32)
        q = np.clip(np.rint(w / scales[:, None]), -127, 127).astype(np.int8)
    else:
        scales = F32(np.abs(w).max() / F32(127))
        q = np.clip(np.rint(w / scales), -127, 127).astype(np.int8)
    return q, scales


def quantize_bias(b, input_scale, weight_scales):
    bias_scale = np.float64(input_scale) * np.asarray(weight_scales, dtype=np.float64)
    q = np.rint(b.astype(np.float64) / bias_scale)
    assert np.all(np.abs(q) < 2 ** 31), "bias does not fit int32"
    return q.astype(np.int32)


# ----------------------------------------------------------------------------------------------------------------------
# Integer simulation: KernelGen's scalar reference (TFLite reference_integer_ops FullyConnected), vectorized
# ----------------------------------------------------------------------------------------------------------------------

def quantize_multiplier(real):
    """TFLite QuantizeMultiplier: real ~= m * 2^(shift - 31), m in [2^30, 2^31)."""
    if real == 0:
        return 0, 0
    fraction, exponent = math.frexp(real)
    fixed = math.floor(fraction * (1 << 31) + 0.5)  # half away from zero (fraction > 0)
    if fixed == 1 << 31:
        fixed //= 2
        exponent += 1
    if exponent < -31:
        return 0, 0
    assert exponent <= 31
    return fixed, exponent


def multiply_by_quantized_multiplier(x, multiplier, shift):
    x = x.astype(np.int64)
    left, right = max(shift, 0), max(-shift, 0)
    x = ((x << left) + (1 << 31)) % (1 << 32) - (1 << 31)  # int32 wrap, as C++ does
    # SaturatingRoundingDoublingHighMul (the int.MinValue * int.MinValue case cannot occur: multiplier > 0).
    ab = x * multiplier
    ab = ab + np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    high = np.where(ab >= 0, ab >> 31, -((-ab) >> 31))  # division truncating toward zero
    # RoundingDivideByPOT
    mask = (1 << right) - 1
    remainder = high & mask
    threshold = (mask >> 1) + (high < 0)
    return (high >> right) + (remainder > threshold)


def dense_int(x_q, x_zp, x_scale, w_q, w_scales, b_q, out_scale, out_zp, relu):
    acc = (x_q.astype(np.int64) - x_zp) @ w_q.astype(np.int64).T + b_q.astype(np.int64)
    assert np.all(np.abs(acc) < 2 ** 31)
    per_channel = np.size(w_scales) > 1
    w_scales = np.broadcast_to(np.asarray(w_scales, dtype=F32), (w_q.shape[0],))
    out = np.empty_like(acc)
    for j in range(w_q.shape[0]):
        if per_channel:
            # TFLite PopulateConvolutionQuantizationParams: every product in double.
            real = float(np.float64(x_scale) * np.float64(w_scales[j]) / np.float64(out_scale))
        else:
            # TFLite GetQuantizedConvolutionMultipler: the scale product rounded to float, then divided in double.
            real = float(np.float64(F32(x_scale) * F32(w_scales[j])) / np.float64(out_scale))
        multiplier, shift = quantize_multiplier(real)
        out[:, j] = multiply_by_quantized_multiplier(acc[:, j], multiplier, shift) + out_zp
    lo = out_zp if relu else 0  # ReLU clamps at the quantized 0; uint8 range otherwise
    return np.clip(out, lo, 255)


# ----------------------------------------------------------------------------------------------------------------------
# Output files
# ----------------------------------------------------------------------------------------------------------------------

def cs_float(value):
    """Shortest decimal that round-trips the float32 value, as a C# float literal."""
    text = np.format_float_positional(F32(value), unique=True, trim="0")
    assert F32(float(text)) == F32(value)
    return text + "f"


def write_bin(name, array):
    path = os.path.join(MODEL_DIR, name)
    with open(path, "wb") as f:
        f.write(array.tobytes())
    return path


def main():
    rng = np.random.default_rng(SEED)
    pixels, labels = load_digits()
    train_px, train_y, test_px, test_y = split(pixels, labels, rng)

    # Float model on pixel / 16.
    w1, b1, w2, b2 = train((train_px / 16).astype(F32), train_y, rng)
    _, _, test_logits = forward((test_px / 16).astype(F32), w1, b1, w2, b2)
    float_accuracy = float(np.mean(test_logits.argmax(axis=1) == test_y))

    # The declared model reads real pixel values 0..16, so fold the 1/16 into fc1.
    w1 = (w1 / F32(16)).astype(F32)

    # Calibrate activation ranges on the training split (float model, real pixel inputs).
    _, train_hidden, train_logits = forward(train_px.astype(F32), w1, b1, w2, b2)
    input_scale, input_zp = F32(16 / 255), 0
    hidden_scale, hidden_zp = calibrate_uint8(train_hidden.min(), train_hidden.max())
    logits_scale, logits_zp = calibrate_uint8(train_logits.min(), train_logits.max())

    w1_q, w1_scales = symmetric_int8(w1, per_channel=True)
    w2_q, w2_scale = symmetric_int8(w2, per_channel=False)
    b1_q = quantize_bias(b1, input_scale, w1_scales)
    b2_q = quantize_bias(b2, hidden_scale, w2_scale)

    # Simulate the integer model on the quantized test images.
    test_q = quantize_linear(test_px.astype(F32), input_scale, input_zp, 0, 255)
    hidden_q = dense_int(test_q, input_zp, input_scale, w1_q, w1_scales, b1_q, hidden_scale, hidden_zp, relu=True)
    logits_q = dense_int(hidden_q, hidden_zp, hidden_scale, w2_q, w2_scale, b2_q, logits_scale, logits_zp, relu=False)
    int8_predictions = logits_q.argmax(axis=1)
    int8_accuracy = float(np.mean(int8_predictions == test_y))

    os.makedirs(MODEL_DIR, exist_ok=True)
    write_bin("fc1.weights.bin", w1_q)                      # [32, 64] row-major, int8
    write_bin("fc1.bias.bin", b1_q.astype("<i4"))           # 32 little-endian int32
    write_bin("fc2.weights.bin", w2_q)                      # [10, 32] row-major, int8
    write_bin("fc2.bias.bin", b2_q.astype("<i4"))           # 10 little-endian int32
    write_bin("test-images.bin", test_q.astype(np.uint8))   # [n, 64] uint8
    write_bin("test-labels.bin", test_y.astype(np.uint8))   # [n] one byte per label
    write_declaration(input_scale, input_zp, w1_scales, hidden_scale, hidden_zp, w2_scale, logits_scale, logits_zp)
    write_readme(len(train_y), len(test_y), float_accuracy, int8_accuracy,
                 train_hidden.max(), train_logits.min(), train_logits.max(),
                 hidden_scale, hidden_zp, logits_scale, logits_zp, int8_predictions, logits_q)

    print(f"train {len(train_y)} / test {len(test_y)} images")
    print(f"float32 test accuracy: {float_accuracy:.4f} ({int(round(float_accuracy * len(test_y)))}/{len(test_y)})")
    print(f"int8    test accuracy: {int8_accuracy:.4f} ({int(np.sum(int8_predictions == test_y))}/{len(test_y)})")
    print(f"hidden: scale {cs_float(hidden_scale)} zero point {hidden_zp}; logits: scale {cs_float(logits_scale)} zero point {logits_zp}")
    print("first test images (label, int8 prediction, quantized logits):")
    for i in range(5):
        print(f"  {test_y[i]} {int8_predictions[i]} {logits_q[i].tolist()}")


def write_declaration(input_scale, input_zp, w1_scales, hidden_scale, hidden_zp, w2_scale, logits_scale, logits_zp):
    scales = ", ".join(cs_float(s) for s in w1_scales)
    text = f"""// <auto-generated>
// Written by samples/Digits/train/train_and_quantize.py from the trained float model: the quantization parameters
// of the digits MLP. Regenerate it with that script instead of editing it; see model/README.md.
// </auto-generated>
using KernelGen;

namespace Digits;

/// <summary>
/// 64 -> 32 (ReLU) -> 10 MLP for 8x8 hand-written digits. Input: one uint8 per pixel, real = 16/255 * q (pixels 0..16
/// quantized to 0..255). Output: ten uint8 logits; the largest one is the predicted digit. KernelGen generates
/// <c>Run</c>, <c>RunReference</c>, <c>InputSize</c>, <c>OutputSize</c> and <c>ActivePath</c> from these attributes at build time.
/// </summary>
[QuantizedModel(64, InputScale = {cs_float(input_scale)}, InputZeroPoint = {input_zp})]
[Dense(64, 32, Name = "fc1", WeightsFile = "model/fc1.weights.bin", BiasFile = "model/fc1.bias.bin",
    WeightScales = new[] {{ {scales} }},
    OutputScale = {cs_float(hidden_scale)}, OutputZeroPoint = {hidden_zp}, Activation = Activation.Relu)]
[Dense(32, 10, Name = "fc2", WeightsFile = "model/fc2.weights.bin", BiasFile = "model/fc2.bias.bin",
    WeightScale = {cs_float(w2_scale)},
    OutputScale = {cs_float(logits_scale)}, OutputZeroPoint = {logits_zp})]
public static partial class DigitsModel
{{
}}
"""
    # Wrap the long per-channel scale list at a readable width.
    lines = []
    for line in text.splitlines():
        if line.startswith("    WeightScales") and len(line) > 120:
            items = scales.split(", ")
            lines.append("    WeightScales = new[]")
            lines.append("    {")
            for i in range(0, len(items), 8):
                lines.append("        " + ", ".join(items[i:i + 8]) + ",")
            lines.append("    },")
        else:
            lines.append(line)
    with open(os.path.join(SAMPLE, "DigitsModel.cs"), "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def write_readme(n_train, n_test, float_accuracy, int8_accuracy, hidden_max, logits_min, logits_max,
                 hidden_scale, hidden_zp, logits_scale, logits_zp, predictions, logits_q):
    correct = int(round(int8_accuracy * n_test))
    float_correct = int(round(float_accuracy * n_test))
    text = f"""# Digits model files

Everything in this folder, and `../DigitsModel.cs`, is written by
[`../train/train_and_quantize.py`](../train/train_and_quantize.py). Do not edit them by hand; regenerate them:

    sudo apt-get install -y python3-numpy python3-sklearn
    /usr/bin/python3 samples/Digits/train/train_and_quantize.py

The sample itself needs none of this: the files are committed, and `dotnet run --project samples/Digits -c Release`
only needs the .NET SDK.

## Data

The UCI ML hand-written digits data set (E. Alpaydin, C. Kaynak, 1998: "Optical Recognition of Handwritten
Digits", <https://archive.ics.uci.edu/dataset/80>), licensed CC BY 4.0, as shipped by Debian's `python3-sklearn`
package in `sklearn/datasets/data/digits.csv.gz`: 1797 images of 8x8 pixels, each pixel a count 0..16, 10 classes.
A fixed-seed shuffle (seed {SEED}) holds out {n_test} images ({TEST_FRACTION:.0%}) as the test split; the other
{n_train} train the model and calibrate the quantization ranges.

## Model

64 -> 32 (ReLU) -> 10, trained in float32 with plain numpy (mini-batch Adam, lr {LEARNING_RATE}, batch {BATCH},
{EPOCHS} epochs, weight decay {WEIGHT_DECAY}, softmax cross-entropy), then quantized post-training following
KernelGen's arithmetic contract (`real = scale * (q - zero_point)`):

| tensor | type | scale | zero point |
|---|---|---|---|
| input (pixels 0..16) | uint8 | 16/255 | 0 |
| fc1 weights [32, 64] | int8, symmetric | per output channel, max\\|w\\|/127 | 0 |
| fc1 bias [32] | int32 | input scale * weight scale | 0 |
| hidden (after ReLU) | uint8 | {cs_float(hidden_scale)[:-1]} (calibrated: 0 .. {float(hidden_max):.4f}) | {hidden_zp} |
| fc2 weights [10, 32] | int8, symmetric | per tensor, max\\|w\\|/127 | 0 |
| fc2 bias [10] | int32 | hidden scale * weight scale | 0 |
| logits | uint8 | {cs_float(logits_scale)[:-1]} (calibrated: {float(logits_min):.4f} .. {float(logits_max):.4f}) | {logits_zp} |

Activation ranges are the min/max of the float model's values over the training split.

## Accuracy on the {n_test} test images

| model | accuracy |
|---|---|
| float32 | {float_accuracy:.2%} ({float_correct}/{n_test}) |
| int8 (simulated with the reference integer arithmetic) | {int8_accuracy:.2%} ({correct}/{n_test}) |

The int8 figure is what `dotnet run --project samples/Digits -c Release` prints: the script simulates the same
fixed-point requantization (TFLite / gemmlowp) as KernelGen's scalar reference, bit for bit.

## Files

| file | contents |
|---|---|
| `fc1.weights.bin` | 32 x 64 int8 (two's complement), row-major [outputs, inputs] |
| `fc1.bias.bin` | 32 little-endian int32 |
| `fc2.weights.bin` | 10 x 32 int8, row-major [outputs, inputs] |
| `fc2.bias.bin` | 10 little-endian int32 |
| `test-images.bin` | {n_test} x 64 uint8: the test images, quantized with the input scale (round half to even) |
| `test-labels.bin` | {n_test} bytes: the digit of each test image |

The weights and biases reach the generator as MSBuild `AdditionalFiles` (see `../Digits.csproj`) and are compiled
into the kernels; the test images and labels are copied next to the executable and read at run time.

Training runs in a few seconds. Re-running the script on another machine should give the same files, but a
different numpy or BLAS may round float32 sums differently, and then the weights (and the numbers above) move
slightly.
"""
    with open(os.path.join(MODEL_DIR, "README.md"), "w", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    main()
