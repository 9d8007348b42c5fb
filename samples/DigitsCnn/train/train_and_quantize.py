#!/usr/bin/python3
"""Train a small CNN on the UCI hand-written digits and quantize it for KernelGen.

Run from anywhere (numpy is the only dependency; the data comes from Debian's python3-sklearn package):

    sudo apt-get install -y python3-numpy python3-sklearn
    /usr/bin/python3 samples/DigitsCnn/train/train_and_quantize.py

What it does:

1. Loads the 1797 8x8 digit images (pixels 0..16) and holds out 20% as a test split: the same fixed-seed split as
   samples/Digits (same seed, same shuffle), so the two samples are scored on the same 359 images.
2. Trains, in float32 with plain numpy (hand-written forward and backward passes, mini-batch Adam, softmax
   cross-entropy), on NHWC feature maps:
       conv1  3x3, 1 -> 8 channels, SAME padding, ReLU      8x8x1  -> 8x8x8
       pool   2x2 max, stride 2                             8x8x8  -> 4x4x8
       conv2  3x3, 8 -> 16 channels, SAME padding, ReLU     4x4x8  -> 4x4x16
       flat   NHWC order (h, w, c)                          4x4x16 -> 256
       fc     256 -> 10                                     256    -> 10 logits
3. Quantizes post-training, TFLite style, following KernelGen's arithmetic contract (real = scale * (q - zero_point)):
   - input: uint8, scale 16/255, zero point 0 (pixel values 0..16 map to 0..255), as samples/Digits;
   - weights: int8, symmetric, one scale per output channel (max|w_o| / 127), zero point 0; conv weights OHWI
     [out, kh, kw, in], fc weights row-major [10, 256] with the inputs in NHWC flatten order;
   - biases: int32, round(b / (input_scale * weight_scale_o)), zero point 0;
   - conv1, conv2 and fc outputs: uint8, scale and zero point from the min/max seen on the training set (the range
     widened to contain 0, so that 0 is exactly representable); the max pool keeps conv1's scale and zero point.
4. Runs the integer model with TFLite's fixed-point semantics (QuantizeMultiplier, SaturatingRoundingDoublingHighMul,
   RoundingDivideByPOT; padding reads the input zero point; ReLU folded into the clamp; max pool on the uint8 values)
   to report the int8 accuracy next to the float one. These are the semantics of KernelGen's scalar reference.
5. Writes model/*.bin, model/README.md and ../DigitsCnnModel.cs (the [QuantizedModel] / [Conv2D] / [MaxPool] /
   [Flatten] / [Dense] declaration).
"""

import gzip
import math
import os
import sys
import time

import numpy as np

SEED = 20261124          # samples/Digits' seed: the split below is the same as that sample's
TEST_FRACTION = 0.2
CLASSES = 10
C1 = 8                   # conv1 filters
C2 = 16                  # conv2 filters
K = 3                    # kernel size of both convolutions
FLAT = 4 * 4 * C2        # 256
EPOCHS = 40
BATCH = 32
LEARNING_RATE = 2e-3
WEIGHT_DECAY = 1e-4

DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.dirname(HERE)
MODEL_DIR = os.path.join(SAMPLE, "model")

F32 = np.float32


# ----------------------------------------------------------------------------------------------------------------------
# Data (exactly as samples/Digits/train/train_and_quantize.py)
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


def as_images(pixels):
    """[n, 64] row-by-row pixels -> [n, 8, 8, 1] NHWC feature maps (the same bytes in the same order)."""
    return pixels.reshape(-1, 8, 8, 1)


# ----------------------------------------------------------------------------------------------------------------------
# Float model, NHWC. Convolution weights are OHWI [out, kh, kw, in]; im2col patches are ordered (kh, kw, in), so a
# patch times w.reshape(out, -1).T is the convolution. (The model sees pixel / 16; the 1/16 is folded into conv1's
# weights before quantization.)
# ----------------------------------------------------------------------------------------------------------------------

def pad_same(x, value):
    """SAME padding of a 3x3 stride-1 window: one row / column on every side."""
    p = K // 2
    return np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), constant_values=value)


def im2col(x_padded, h, w):
    """[n, h+2, w+2, c] -> [n*h*w, K*K*c], each row one window in (kh, kw, c) order."""
    n, c = x_padded.shape[0], x_padded.shape[3]
    cols = np.stack([x_padded[:, i:i + h, j:j + w, :] for i in range(K) for j in range(K)], axis=3)
    return cols.reshape(n * h * w, K * K * c)


def col2im(d_cols, n, h, w, c):
    """Adjoint of im2col followed by the padding crop: [n*h*w, K*K*c] -> [n, h, w, c]."""
    d_cols = d_cols.reshape(n, h, w, K * K, c)
    d_padded = np.zeros((n, h + K - 1, w + K - 1, c), dtype=d_cols.dtype)
    for t in range(K * K):
        i, j = divmod(t, K)
        d_padded[:, i:i + h, j:j + w, :] += d_cols[:, :, :, t, :]
    p = K // 2
    return d_padded[:, p:p + h, p:p + w, :]


def conv_same(x, w, b):
    n, h, wd, _ = x.shape
    cols = im2col(pad_same(x, 0), h, wd)
    out = cols @ w.reshape(w.shape[0], -1).T + b
    return cols, out.reshape(n, h, wd, w.shape[0])


def max_pool(x):
    """2x2 max pool, stride 2: [n, h, w, c] -> [n, h/2, w/2, c], and the flat argmax of each window."""
    n, h, w, c = x.shape
    windows = x.reshape(n, h // 2, 2, w // 2, 2, c).transpose(0, 1, 3, 5, 2, 4).reshape(n, h // 2, w // 2, c, 4)
    arg = windows.argmax(axis=4)
    return np.take_along_axis(windows, arg[..., None], axis=4)[..., 0], arg


def max_pool_backward(d_out, arg, shape):
    n, h, w, c = shape
    d_windows = np.zeros((n, h // 2, w // 2, c, 4), dtype=d_out.dtype)
    np.put_along_axis(d_windows, arg[..., None], d_out[..., None], axis=4)
    return d_windows.reshape(n, h // 2, w // 2, c, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(shape)


def forward(x, params):
    """x: [n, 8, 8, 1] float32. Returns the logits and everything the backward pass needs."""
    w1, b1, w2, b2, w3, b3 = params
    cols1, pre1 = conv_same(x, w1, b1)
    act1 = np.maximum(pre1, F32(0))
    pooled, arg = max_pool(act1)
    cols2, pre2 = conv_same(pooled, w2, b2)
    act2 = np.maximum(pre2, F32(0))
    flat = act2.reshape(len(x), FLAT)                # NHWC flatten: (h, w, c)
    logits = flat @ w3.T + b3
    cache = (cols1, pre1, act1, arg, pooled, cols2, pre2, flat)
    return logits, act1, act2, cache


def backward(d_logits, params, cache):
    w1, b1, w2, b2, w3, b3 = params
    cols1, pre1, act1, arg, pooled, cols2, pre2, flat = cache
    n = len(d_logits)
    d_w3 = d_logits.T @ flat
    d_b3 = d_logits.sum(axis=0)
    d_pre2 = (d_logits @ w3).reshape(pre2.shape) * (pre2 > 0)
    d_pre2_rows = d_pre2.reshape(-1, C2)
    d_w2 = (d_pre2_rows.T @ cols2).reshape(w2.shape)
    d_b2 = d_pre2_rows.sum(axis=0)
    d_pooled = col2im(d_pre2_rows @ w2.reshape(C2, -1), n, 4, 4, C1)
    d_pre1 = max_pool_backward(d_pooled, arg, act1.shape) * (pre1 > 0)
    d_pre1_rows = d_pre1.reshape(-1, C1)
    d_w1 = (d_pre1_rows.T @ cols1).reshape(w1.shape)
    d_b1 = d_pre1_rows.sum(axis=0)
    return [d_w1, d_b1, d_w2, d_b2, d_w3, d_b3]


def train(x, y, rng):
    def he(shape, fan_in):
        return (rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)).astype(F32)

    params = [he((C1, K, K, 1), K * K * 1), np.zeros(C1, F32),
              he((C2, K, K, C1), K * K * C1), np.zeros(C2, F32),
              he((CLASSES, FLAT), FLAT), np.zeros(CLASSES, F32)]
    decayed = {0, 2, 4}  # weight decay on the weights, not the biases
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
            logits, _, _, cache = forward(xb, params)
            logits = logits - logits.max(axis=1, keepdims=True)
            prob = np.exp(logits)
            prob /= prob.sum(axis=1, keepdims=True)
            d_logits = ((prob - tb) / F32(len(idx))).astype(F32)
            grads = backward(d_logits, params, cache)
            step += 1
            for i, g in enumerate(grads):
                if i in decayed:
                    g = g + F32(WEIGHT_DECAY) * params[i]
                m[i] = F32(beta1) * m[i] + F32(1 - beta1) * g
                v[i] = F32(beta2) * v[i] + F32(1 - beta2) * g * g
                m_hat = m[i] / F32(1 - beta1 ** step)
                v_hat = v[i] / F32(1 - beta2 ** step)
                params[i] = (params[i] - F32(LEARNING_RATE) * m_hat / (np.sqrt(v_hat) + F32(eps))).astype(F32)
    return params


def check_gradients(rng):
    """Finite differences (in float64) against the hand-written backward pass on a tiny batch."""
    x = rng.random((3, 8, 8, 1))
    y = np.array([1, 4, 7])
    params = [rng.standard_normal(s) * 0.3 for s in
              [(C1, K, K, 1), (C1,), (C2, K, K, C1), (C2,), (CLASSES, FLAT), (CLASSES,)]]

    def loss(ps):
        logits = forward(x, ps)[0]
        logits = logits - logits.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(logits).sum(axis=1)) - logits[np.arange(3), y]))

    logits, _, _, cache = forward(x, params)
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    grads = backward((prob - np.eye(CLASSES)[y]) / 3, params, cache)
    for p, g in zip(params, grads):
        for flat_index in rng.choice(p.size, size=min(p.size, 6), replace=False):
            index = np.unravel_index(flat_index, p.shape)
            saved = p[index]
            p[index] = saved + 1e-6
            up = loss(params)
            p[index] = saved - 1e-6
            down = loss(params)
            p[index] = saved
            numeric = (up - down) / 2e-6
            assert abs(numeric - g[index]) <= 1e-5 + 1e-3 * abs(numeric), (numeric, g[index])


# ----------------------------------------------------------------------------------------------------------------------
# Quantization (scales are float32, as the C# attributes hold them)
# ----------------------------------------------------------------------------------------------------------------------

def quantize_linear(x, scale, zero_point, qmin, qmax):
    """ONNX QuantizeLinear: saturate(round_half_to_even(x / scale) + zero_point), the division in float32."""
    q = np.rint(x.astype(F32) / F32(scale)).astype(np.int64) + zero_point
    return np.clip(q, qmin, qmax)


def calibrate_uint8(lo, hi):
    """Asymmetric uint8 parameters for an observed float range, widened to contain 0 (so 0 is exactly representable:
    real 0 is the integer zero point)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    assert hi > lo
    scale = F32((hi - lo) / 255.0)
    zero_point = int(np.clip(round(-lo / float(scale)), 0, 255))
    return scale, zero_point


def symmetric_int8_per_channel(w):
    """int8 weights with zero point 0 and one scale per output channel (axis 0): scale_o = max|w_o| / 127."""
    rows = w.reshape(w.shape[0], -1)
    scales = (np.abs(rows).max(axis=1) / F32(127)).astype(F32)
    assert np.all(scales > 0), "an output channel has only zero weights"
    q = np.clip(np.rint(rows / scales[:, None]), -127, 127).astype(np.int8)
    return q.reshape(w.shape), scales


def quantize_bias(b, input_scale, weight_scales):
    bias_scale = np.float64(input_scale) * np.asarray(weight_scales, dtype=np.float64)
    q = np.rint(b.astype(np.float64) / bias_scale)
    assert np.all(np.abs(q) < 2 ** 31), "bias does not fit int32"
    return q.astype(np.int32)


# ----------------------------------------------------------------------------------------------------------------------
# Integer reference: TFLite's integer kernels (reference_integer_ops Conv / FullyConnected per channel, MaxPool) and the
# fixed-point helpers, mirroring runtime/KernelGen.Runtime/Shared/{QuantizationMath,FixedPoint}.cs. The scalar
# functions are the published definitions, one int at a time; the vectorized ones below them are checked against them.
# ----------------------------------------------------------------------------------------------------------------------

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def quantize_multiplier(real):
    """TFLite QuantizeMultiplier: real ~= m * 2^(shift - 31), m in [2^30, 2^31); (0, 0) below 2^-32."""
    assert real >= 0 and math.isfinite(real)
    if real == 0:
        return 0, 0
    fraction, exponent = math.frexp(real)
    fixed = math.floor(fraction * (1 << 31) + 0.5)  # TfLiteRound: half away from zero (fraction > 0); exact in double
    if fixed == 1 << 31:
        fixed //= 2
        exponent += 1
    if exponent < -31:
        return 0, 0
    assert exponent <= 31, "multiplier >= 2^31"
    return fixed, exponent


def requantization_multiplier(input_scale, weight_scale, output_scale, per_channel):
    """QuantizationMath.RequantizationMultiplier: per channel, every product in double (TFLite
    PopulateConvolutionQuantizationParams); per tensor, input_scale * weight_scale rounded to float32 first, then
    divided in double (GetQuantizedConvolutionMultipler)."""
    if per_channel:
        return float(input_scale) * float(weight_scale) / float(output_scale)
    return float(F32(input_scale) * F32(weight_scale)) / float(output_scale)


def wrap_int32(x):
    return (x + (1 << 31)) % (1 << 32) - (1 << 31)


def saturating_rounding_doubling_high_mul(a, b):
    """gemmlowp: the high 32 bits of 2ab, nudged (2^30, or 1 - 2^30 for a negative product), division truncating."""
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    total = ab + nudge
    q = abs(total) // (1 << 31)
    return q if total >= 0 else -q


def rounding_divide_by_pot(x, exponent):
    """gemmlowp: x / 2^exponent rounded to nearest, ties away from zero."""
    assert 0 <= exponent <= 31
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """TFLite MultiplyByQuantizedMultiplier; a left shift wraps in int32 as the compiled C++ does."""
    left, right = max(shift, 0), max(-shift, 0)
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(wrap_int32(x << left), multiplier), right)


def activation_range(relu, output_scale, output_zero_point, qmin=0, qmax=255):
    """QuantizationMath.ActivationRange (TFLite CalculateActivationRangeQuantized): ReLU's lower bound is the real 0
    quantized, zero_point + round_half_away(0 / scale) with the division in float32, intersected with the type range."""
    if not relu:
        return qmin, qmax
    ratio = float(F32(0) / F32(output_scale))
    bound = int(math.floor(abs(ratio) + 0.5)) * (1 if ratio >= 0 else -1) + output_zero_point
    return max(qmin, bound), qmax


def multiply_by_quantized_multiplier_vec(x, multiplier, shift):
    """multiply_by_quantized_multiplier over an int64 array holding int32 values (one multiplier and shift)."""
    left, right = max(shift, 0), max(-shift, 0)
    x = wrap_int32(x.astype(np.int64) << left)
    assert not (multiplier == INT32_MIN and np.any(x == INT32_MIN))  # multiplier >= 0: never the saturating case
    ab = x * multiplier                                              # |ab| < 2^62: exact in int64
    total = ab + np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    high = np.where(total >= 0, total >> 31, -((-total) >> 31))     # division by 2^31 truncating toward zero
    mask = (1 << right) - 1
    remainder = high & mask
    threshold = (mask >> 1) + (high < 0)
    return (high >> right) + (remainder > threshold)


def requantize(acc, input_scale, weight_scales, output_scale, output_zero_point, relu):
    """acc: [rows, channels] int32 accumulators (bias included) -> uint8 values, one multiplier per channel."""
    per_channel = len(weight_scales) > 1   # a one-element scale array is per tensor, as in the C# attributes
    lo, hi = activation_range(relu, output_scale, output_zero_point)
    out = np.empty_like(acc)
    for o in range(acc.shape[1]):
        scale = weight_scales[o if per_channel else 0]
        multiplier, shift = quantize_multiplier(requantization_multiplier(input_scale, scale, output_scale, per_channel))
        out[:, o] = multiply_by_quantized_multiplier_vec(acc[:, o], multiplier, shift) + output_zero_point
    return np.clip(out, lo, hi)


def accumulate(x, x_zp, w_rows, bias):
    """Σ (x - x_zp) * w + bias, exact in int64; asserts it fits int32 (so the C# int32 accumulator never wraps)."""
    acc = (x.astype(np.int64) - x_zp) @ w_rows.astype(np.int64).T + bias.astype(np.int64)
    assert acc.min() >= INT32_MIN and acc.max() <= INT32_MAX, "accumulator overflows int32"
    return acc


def conv_int(x_q, x_zp, x_scale, w_q, w_scales, b_q, out_scale, out_zp, relu):
    """TFLite reference_integer_ops::ConvPerChannel, SAME 3x3 stride 1; the padding reads the input zero point (so it
    contributes x_zp - x_zp = 0, the real value 0)."""
    n, h, w, _ = x_q.shape
    cols = im2col(pad_same(x_q.astype(np.int64), x_zp), h, w)
    acc = accumulate(cols, x_zp, w_q.reshape(w_q.shape[0], -1), b_q)
    out = requantize(acc, x_scale, w_scales, out_scale, out_zp, relu)
    return out.reshape(n, h, w, w_q.shape[0]), acc


def max_pool_int(x_q):
    """TFLite MaxPool on the uint8 values: 2x2 window, stride 2, VALID; no rescale, clamp [0, 255] (no activation)."""
    return np.clip(max_pool(x_q)[0], 0, 255)


def dense_int(x_q, x_zp, x_scale, w_q, w_scales, b_q, out_scale, out_zp, relu):
    acc = accumulate(x_q, x_zp, w_q, b_q)
    return requantize(acc, x_scale, w_scales, out_scale, out_zp, relu), acc


def run_image_plain(image, q, w1_q, b1_q, w2_q, b2_q, w3_q, b3_q):
    """One image through the integer model in plain Python loops, from the definitions: no im2col, no numpy
    arithmetic, the scalar fixed-point functions. A check on the vectorized model above (indexing, padding, layouts)."""
    def conv(x, h, w, c_in, x_zp, x_scale, weights, bias, w_scales, out_scale, out_zp):
        c_out = len(bias)
        lo, hi = activation_range(True, out_scale, out_zp)
        out = [[[0] * c_out for _ in range(w)] for _ in range(h)]
        for o in range(c_out):
            multiplier, shift = quantize_multiplier(
                requantization_multiplier(x_scale, w_scales[o], out_scale, per_channel=True))
            for y in range(h):
                for xx in range(w):
                    acc = int(bias[o])
                    for i in range(K):
                        for j in range(K):
                            yy, xj = y + i - K // 2, xx + j - K // 2
                            for c in range(c_in):
                                # Outside the map the input reads as its zero point.
                                v = x[yy][xj][c] if 0 <= yy < h and 0 <= xj < w else x_zp
                                acc += (v - x_zp) * int(weights[((o * K + i) * K + j) * c_in + c])
                    assert INT32_MIN <= acc <= INT32_MAX
                    out[y][xx][o] = min(hi, max(lo, multiply_by_quantized_multiplier(acc, multiplier, shift) + out_zp))
        return out

    w1, w2, w3 = w1_q.ravel().tolist(), w2_q.ravel().tolist(), w3_q.ravel().tolist()
    x = [[[int(image[y * 8 + xx])] for xx in range(8)] for y in range(8)]
    a1 = conv(x, 8, 8, 1, q["input_zp"], q["input_scale"], w1, b1_q, q["w1_scales"], q["act1_scale"], q["act1_zp"])
    pool = [[[max(a1[2 * y + i][2 * xx + j][c] for i in range(2) for j in range(2)) for c in range(C1)]
             for xx in range(4)] for y in range(4)]
    a2 = conv(pool, 4, 4, C1, q["act1_zp"], q["act1_scale"], w2, b2_q, q["w2_scales"], q["act2_scale"], q["act2_zp"])
    flat = [a2[y][xx][c] for y in range(4) for xx in range(4) for c in range(C2)]
    logits = []
    for o in range(CLASSES):
        acc = int(b3_q[o]) + sum((flat[k] - q["act2_zp"]) * w3[o * FLAT + k] for k in range(FLAT))
        multiplier, shift = quantize_multiplier(
            requantization_multiplier(q["act2_scale"], q["w3_scales"][o], q["logits_scale"], per_channel=True))
        logits.append(min(255, max(0, multiply_by_quantized_multiplier(acc, multiplier, shift) + q["logits_zp"])))
    return logits


def check_fixed_point(accumulators, rng):
    """The vectorized requantization equals the scalar definitions on real accumulators and on edge cases."""
    edge = np.array([0, 1, -1, 2, -2, 3, -3, 127, -128, 1 << 20, -(1 << 20), INT32_MAX, INT32_MIN, INT32_MIN + 1,
                     INT32_MAX - 1, (1 << 30), -(1 << 30)], dtype=np.int64)
    values = np.concatenate([edge, rng.choice(accumulators, size=min(2000, accumulators.size), replace=False)])
    for real in [0.0, 2.0 ** -33, 2.0 ** -31, 1e-5, 0.0036, 0.37, 0.5, 0.9999999999, 1.0, 1.5, 3.7, 123.25]:
        multiplier, shift = quantize_multiplier(real)
        vec = multiply_by_quantized_multiplier_vec(values, multiplier, shift)
        for v, got in zip(values.tolist(), vec.tolist()):
            assert got == multiply_by_quantized_multiplier(v, multiplier, shift), (real, v)
    # Hand-checked cases of the primitives (gemmlowp's definitions).
    assert rounding_divide_by_pot(5, 1) == 3 and rounding_divide_by_pot(-5, 1) == -3
    assert rounding_divide_by_pot(-6, 2) == -2 and rounding_divide_by_pot(6, 2) == 2 and rounding_divide_by_pot(-7, 2) == -2
    assert saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN) == INT32_MAX
    assert saturating_rounding_doubling_high_mul(1 << 30, 1 << 30) == 1 << 29
    assert quantize_multiplier(0.5) == (1 << 30, 0) and quantize_multiplier(1.0) == (1 << 30, 1)


# ----------------------------------------------------------------------------------------------------------------------
# Output files
# ----------------------------------------------------------------------------------------------------------------------

def cs_float(value):
    """Shortest decimal that round-trips the float32 value (numpy's float32 repr), as a C# float literal."""
    text = np.format_float_positional(F32(value), unique=True, trim="0")
    assert F32(float(text)) == F32(value) and F32(text) == F32(value)
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
    check_gradients(np.random.default_rng(1))

    # Float model on pixel / 16, NHWC.
    started = time.perf_counter()
    params = train(as_images(train_px / 16).astype(F32), train_y, rng)
    train_seconds = time.perf_counter() - started
    test_logits = forward(as_images(test_px / 16).astype(F32), params)[0]
    float_predictions = test_logits.argmax(axis=1)
    float_correct = int(np.sum(float_predictions == test_y))

    # The declared model reads real pixel values 0..16, so fold the 1/16 into conv1.
    w1, b1, w2, b2, w3, b3 = params
    w1 = (w1 / F32(16)).astype(F32)
    params = [w1, b1, w2, b2, w3, b3]

    # Calibrate activation ranges on the training split (float model, real pixel inputs). The max pool's output is a
    # subset of conv1's values and keeps its scale and zero point.
    train_logits, train_act1, train_act2, _ = forward(as_images(train_px).astype(F32), params)
    input_scale, input_zp = F32(16 / 255), 0
    act1_scale, act1_zp = calibrate_uint8(train_act1.min(), train_act1.max())
    act2_scale, act2_zp = calibrate_uint8(train_act2.min(), train_act2.max())
    logits_scale, logits_zp = calibrate_uint8(train_logits.min(), train_logits.max())

    w1_q, w1_scales = symmetric_int8_per_channel(w1)
    w2_q, w2_scales = symmetric_int8_per_channel(w2)
    w3_q, w3_scales = symmetric_int8_per_channel(w3)
    b1_q = quantize_bias(b1, input_scale, w1_scales)
    b2_q = quantize_bias(b2, act1_scale, w2_scales)     # conv2 reads the pool's output: conv1's scale
    b3_q = quantize_bias(b3, act2_scale, w3_scales)

    # The integer model on the quantized test images.
    test_q = quantize_linear(test_px.astype(F32), input_scale, input_zp, 0, 255)
    act1_q, acc1 = conv_int(as_images(test_q), input_zp, input_scale, w1_q, w1_scales, b1_q, act1_scale, act1_zp, relu=True)
    pool_q = max_pool_int(act1_q)
    act2_q, acc2 = conv_int(pool_q, act1_zp, act1_scale, w2_q, w2_scales, b2_q, act2_scale, act2_zp, relu=True)
    flat_q = act2_q.reshape(len(test_q), FLAT)          # NHWC flatten: (h, w, c)
    logits_q, acc3 = dense_int(flat_q, act2_zp, act2_scale, w3_q, w3_scales, b3_q, logits_scale, logits_zp, relu=False)
    check_fixed_point(np.concatenate([acc1.ravel(), acc2.ravel(), acc3.ravel()]), np.random.default_rng(2))
    q = dict(input_scale=input_scale, input_zp=input_zp, w1_scales=w1_scales, act1_scale=act1_scale, act1_zp=act1_zp,
             w2_scales=w2_scales, act2_scale=act2_scale, act2_zp=act2_zp, w3_scales=w3_scales,
             logits_scale=logits_scale, logits_zp=logits_zp)
    for i in range(len(test_q)):
        assert run_image_plain(test_q[i], q, w1_q, b1_q, w2_q, b2_q, w3_q, b3_q) == logits_q[i].tolist(), i
    assert 0 <= logits_q.min() and logits_q.max() <= 255
    # Predicted = the index of the largest logit, the first one on ties (numpy's argmax, as Program.cs's Predict).
    int8_predictions = logits_q.argmax(axis=1)
    int8_correct = int(np.sum(int8_predictions == test_y))

    os.makedirs(MODEL_DIR, exist_ok=True)
    write_bin("conv1.weights.bin", w1_q)                    # [8, 3, 3, 1] OHWI, int8
    write_bin("conv1.bias.bin", b1_q.astype("<i4"))         # 8 little-endian int32
    write_bin("conv2.weights.bin", w2_q)                    # [16, 3, 3, 8] OHWI, int8
    write_bin("conv2.bias.bin", b2_q.astype("<i4"))         # 16 little-endian int32
    write_bin("fc.weights.bin", w3_q)                       # [10, 256] row-major, inputs in (h, w, c) order, int8
    write_bin("fc.bias.bin", b3_q.astype("<i4"))            # 10 little-endian int32
    write_bin("test-images.bin", test_q.astype(np.uint8))   # [n, 64] uint8 (8x8x1 NHWC = row by row)
    write_bin("test-labels.bin", test_y.astype(np.uint8))   # [n] one byte per label

    ranges = dict(act1=(float(train_act1.min()), float(train_act1.max())),
                  act2=(float(train_act2.min()), float(train_act2.max())),
                  logits=(float(train_logits.min()), float(train_logits.max())))
    write_declaration(q)
    write_readme(len(train_y), len(test_y), float_correct, int8_correct, q, ranges, test_y, int8_predictions, logits_q)

    n_test = len(test_y)
    print(f"train {len(train_y)} / test {n_test} images; training took {train_seconds:.1f} s")
    print(f"float32 test accuracy: {float_correct / n_test:.4f} ({float_correct}/{n_test})")
    print(f"int8    test accuracy: {int8_correct / n_test:.4f} ({int8_correct}/{n_test})")
    print(f"conv1/pool: scale {cs_float(act1_scale)} zero point {act1_zp}; conv2: scale {cs_float(act2_scale)} "
          f"zero point {act2_zp}; logits: scale {cs_float(logits_scale)} zero point {logits_zp}")
    print("first test images (label, int8 prediction, quantized logits):")
    for i in range(5):
        print(f"  {test_y[i]} {int8_predictions[i]} {logits_q[i].tolist()}")


def scale_list(scales, indent, per_line=8):
    items = [cs_float(s) for s in scales]
    lines = [indent + ", ".join(items[i:i + per_line]) + "," for i in range(0, len(items), per_line)]
    return "\n".join(lines)


def write_declaration(q):
    text = f"""// <auto-generated>
// Written by samples/DigitsCnn/train/train_and_quantize.py from the trained float model: the quantization parameters
// of the digits CNN. Regenerate it with that script instead of editing it; see model/README.md.
// </auto-generated>
using KernelGen;

namespace DigitsCnn;

/// <summary>
/// A small CNN for 8x8 hand-written digits, NHWC: conv1 3x3 1 -> 8 (SAME, ReLU) -> 2x2 max pool -> conv2 3x3 8 -> 16
/// (SAME, ReLU) -> flatten (4x4x16 = 256, in (h, w, c) order) -> fc 256 -> 10. Input: one 8x8x1 uint8 image per row,
/// real = 16/255 * q (pixels 0..16 quantized to 0..255). Output: ten uint8 logits; the largest one is the predicted
/// digit. KernelGen generates <c>Run</c>, <c>RunReference</c>, <c>InputSize</c>, <c>OutputSize</c>, <c>ScratchSize</c>
/// and <c>ActivePath</c> from these attributes at build time.
/// </summary>
[QuantizedModel(8, 8, 1, InputScale = {cs_float(q["input_scale"])}, InputZeroPoint = {q["input_zp"]})]
[Conv2D(8, 3, 3, Name = "conv1", Padding = Padding.Same,
    WeightsFile = "model/conv1.weights.bin", BiasFile = "model/conv1.bias.bin",
    WeightScales = new[]
    {{
{scale_list(q["w1_scales"], "        ")}
    }},
    OutputScale = {cs_float(q["act1_scale"])}, OutputZeroPoint = {q["act1_zp"]}, Activation = Activation.Relu)]
[MaxPool(2, 2, Name = "pool")]
[Conv2D(16, 3, 3, Name = "conv2", Padding = Padding.Same,
    WeightsFile = "model/conv2.weights.bin", BiasFile = "model/conv2.bias.bin",
    WeightScales = new[]
    {{
{scale_list(q["w2_scales"], "        ")}
    }},
    OutputScale = {cs_float(q["act2_scale"])}, OutputZeroPoint = {q["act2_zp"]}, Activation = Activation.Relu)]
[Flatten(Name = "flat")]
[Dense(256, 10, Name = "fc", WeightsFile = "model/fc.weights.bin", BiasFile = "model/fc.bias.bin",
    WeightScales = new[]
    {{
{scale_list(q["w3_scales"], "        ", per_line=5)}
    }},
    OutputScale = {cs_float(q["logits_scale"])}, OutputZeroPoint = {q["logits_zp"]})]
public static partial class DigitsCnnModel
{{
}}
"""
    with open(os.path.join(SAMPLE, "DigitsCnnModel.cs"), "w", newline="\n") as f:
        f.write(text)


def write_readme(n_train, n_test, float_correct, int8_correct, q, ranges, labels, predictions, logits_q):
    def fmt_scales(scales):
        return ", ".join(cs_float(s)[:-1] for s in scales)

    def rng_text(name):
        lo, hi = ranges[name]
        return f"{lo:.4f} .. {hi:.4f}"

    first = "\n".join(f"| {i} | {labels[i]} | {predictions[i]} | {logits_q[i].tolist()} |" for i in range(3))
    text = f"""# DigitsCnn model files

Everything in this folder, and `../DigitsCnnModel.cs`, is written by
[`../train/train_and_quantize.py`](../train/train_and_quantize.py). Do not edit them by hand; regenerate them:

    sudo apt-get install -y python3-numpy python3-sklearn
    /usr/bin/python3 samples/DigitsCnn/train/train_and_quantize.py

The sample itself needs none of this: the files are committed, and `dotnet run --project samples/DigitsCnn -c Release`
only needs the .NET SDK.

## Data

The UCI ML hand-written digits data set (E. Alpaydin, C. Kaynak, 1998: "Optical Recognition of Handwritten
Digits", <https://archive.ics.uci.edu/dataset/80>), licensed CC BY 4.0, as shipped by Debian's `python3-sklearn`
package in `sklearn/datasets/data/digits.csv.gz`: 1797 images of 8x8 pixels, each pixel a count 0..16, 10 classes.
The split is samples/Digits' split: a fixed-seed shuffle (seed {SEED}) holds out {n_test} images ({TEST_FRACTION:.0%})
as the test split; the other {n_train} train the model and calibrate the quantization ranges. `test-images.bin` and
`test-labels.bin` are byte for byte those of samples/Digits.

## Model

NHWC feature maps throughout; every layer below is one attribute in `../DigitsCnnModel.cs`, in this order:

| layer | attribute | input | output |
|---|---|---|---|
| conv1: 3x3, 1 -> 8, stride 1, SAME padding, ReLU | `[Conv2D(8, 3, 3)]` | 8x8x1 | 8x8x8 |
| pool: 2x2 max, stride 2 | `[MaxPool(2, 2)]` | 8x8x8 | 4x4x8 |
| conv2: 3x3, 8 -> 16, stride 1, SAME padding, ReLU | `[Conv2D(16, 3, 3)]` | 4x4x8 | 4x4x16 |
| flat: NHWC order, (h, w, c) | `[Flatten]` | 4x4x16 | 256 |
| fc: 256 -> 10 | `[Dense(256, 10)]` | 256 | 10 logits |

Trained in float32 with plain numpy (hand-written forward and backward passes, checked against finite differences;
mini-batch Adam, lr {LEARNING_RATE}, batch {BATCH}, {EPOCHS} epochs, weight decay {WEIGHT_DECAY} on the weights,
softmax cross-entropy, He initialization) on pixel / 16; the 1/16 is then folded into conv1's weights, so the
declared model reads the real pixel values 0..16.

Then quantized post-training, TFLite style, following KernelGen's arithmetic contract
(`real = scale * (q - zero_point)`). Scales are float32 values, written as the shortest decimal that reads back as the
same float32 (numpy's float32 repr), so each C# float literal in `../DigitsCnnModel.cs` is exactly that float.

| tensor | type | shape, layout | scale | zero point |
|---|---|---|---|---|
| input (pixels 0..16) | uint8 | [8, 8, 1] NHWC | {cs_float(q["input_scale"])[:-1]} (16/255) | {q["input_zp"]} |
| conv1 weights | int8, symmetric | [8, 3, 3, 1] OHWI | per output channel, max\\|w_o\\|/127: see below | 0 |
| conv1 bias | int32 | [8] | input scale * weight scale_o | 0 |
| conv1 output (after ReLU) | uint8 | [8, 8, 8] NHWC | {cs_float(q["act1_scale"])[:-1]} (calibrated: {rng_text("act1")}) | {q["act1_zp"]} |
| pool output | uint8 | [4, 4, 8] NHWC | conv1's: {cs_float(q["act1_scale"])[:-1]} (no rescale) | {q["act1_zp"]} |
| conv2 weights | int8, symmetric | [16, 3, 3, 8] OHWI | per output channel, max\\|w_o\\|/127: see below | 0 |
| conv2 bias | int32 | [16] | pool scale * weight scale_o | 0 |
| conv2 output (after ReLU) | uint8 | [4, 4, 16] NHWC | {cs_float(q["act2_scale"])[:-1]} (calibrated: {rng_text("act2")}) | {q["act2_zp"]} |
| flat | uint8 | [256], (h, w, c) order | conv2's (no data moves) | {q["act2_zp"]} |
| fc weights | int8, symmetric | [10, 256] row-major, inputs in (h, w, c) order | per output channel, max\\|w_o\\|/127: see below | 0 |
| fc bias | int32 | [10] | conv2 scale * weight scale_o | 0 |
| logits | uint8 | [10] | {cs_float(q["logits_scale"])[:-1]} (calibrated: {rng_text("logits")}) | {q["logits_zp"]} |

Activation ranges are the min/max of the float model's values over the training split, widened to contain 0 (so the
real 0 is exactly the zero point, an integer in [0, 255]). Weight scales, per output channel:

- conv1: {fmt_scales(q["w1_scales"])}
- conv2: {fmt_scales(q["w2_scales"])}
- fc: {fmt_scales(q["w3_scales"])}

Weight values are round_half_to_even(w / scale_o) clipped to [-127, 127]; biases round_half_to_even(b / (input scale
* scale_o)) computed in double; test images round_half_to_even(pixel / input scale) (ONNX QuantizeLinear, in float32).

## Integer arithmetic

The script runs the quantized model with the integer semantics of TFLite's reference kernels
(reference_integer_ops ConvPerChannel and FullyConnected per channel, MaxPool), which KernelGen's scalar reference
follows and its generated kernels must match bit for bit:

- accumulators: Σ (x - input zero point) * w + bias in int32 (none overflows here); padded positions of a SAME
  convolution read the input zero point, i.e. the real value 0;
- requantization: the real multiplier input scale * weight scale_o / output scale, all in double (per-channel scales:
  TFLite's PopulateConvolutionQuantizationParams, KernelGen's `QuantizationMath.RequantizationMultiplier`), becomes
  a Q31 multiplier and shift (QuantizeMultiplier: frexp, round half away from zero); then output zero point +
  RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc << left, M0), right);
- ReLU is folded into the clamp: the lower bound is the quantized real 0, i.e. the zero point
  (`QuantizationMath.ActivationRange`); without an activation the clamp is [0, 255];
- the max pool compares the uint8 values (conv1's scale and zero point carry over, no rescale).

The script computes this twice and stops if the two disagree: vectorized (im2col, numpy) for the accuracy, and in
plain Python loops straight from the definitions for every test image; its vectorized requantization is also checked
against the scalar fixed-point functions on the model's accumulators and on edge cases.

## Accuracy on the {n_test} test images

| model | accuracy |
|---|---|
| float32 | {float_correct / n_test:.2%} ({float_correct}/{n_test}) |
| int8 (the integer arithmetic above) | {int8_correct / n_test:.2%} ({int8_correct}/{n_test}) |

The int8 figure is what `dotnet run --project samples/DigitsCnn -c Release` must print once KernelGen generates
Conv2D, MaxPool and Flatten (`int8 accuracy on the test split: {int8_correct}/{n_test} = {100.0 * int8_correct / n_test:.2f}%`).
For reference, the first three test images' uint8 logits from the script's integer model:

| image | label | predicted | logits |
|---|---|---|---|
{first}

## Files

| file | contents |
|---|---|
| `conv1.weights.bin` | 8 x 3 x 3 x 1 int8 (two's complement), OHWI: weight (o, i, j, c) at ((o * 3 + i) * 3 + j) * 1 + c |
| `conv1.bias.bin` | 8 little-endian int32 |
| `conv2.weights.bin` | 16 x 3 x 3 x 8 int8, OHWI: weight (o, i, j, c) at ((o * 3 + i) * 3 + j) * 8 + c |
| `conv2.bias.bin` | 16 little-endian int32 |
| `fc.weights.bin` | 10 x 256 int8, row-major [outputs, inputs]; input k = (h * 4 + w) * 16 + c of conv2's 4x4x16 output |
| `fc.bias.bin` | 10 little-endian int32 |
| `test-images.bin` | {n_test} x 64 uint8: the test images (8x8x1 NHWC, i.e. row by row), quantized with the input scale |
| `test-labels.bin` | {n_test} bytes: the digit of each test image |

The weights and biases reach the generator as MSBuild `AdditionalFiles` (see `../DigitsCnn.csproj`) and are compiled
into the kernels; the test images and labels are copied next to the executable and read at run time.

Training takes a few seconds. Re-running the script on another machine should give the same files, but a
different numpy or BLAS may round float32 sums differently, and then the weights (and the numbers above) move
slightly.
"""
    with open(os.path.join(MODEL_DIR, "README.md"), "w", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    main()
