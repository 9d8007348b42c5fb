// Oracle for KernelGen's gemmlowp conformance tests (GemmlowpConformanceTests.cs compiles and runs it).
//
// Uses gemmlowp's own fixedpoint header from Debian's libgemmlowp-dev. Reads whitespace-separated commands from stdin
// and prints one int32 result per line:
//   S a b        gemmlowp::SaturatingRoundingDoublingHighMul(a, b)
//   R x e        gemmlowp::RoundingDivideByPOT(x, e), e in [0, 31]
//   M x m s      TFLite's MultiplyByQuantizedMultiplier(x, m, s), composed from the two as
//                tensorflow/lite/kernels/internal/common.h does (the default double-rounding variant)
// Built with -fwrapv, so TFLite's `x * (1 << left_shift)` wraps in int32 as the runtime documents. Asserts stay on.
#include <cstdint>
#include <cstdio>

#include <gemmlowp/fixedpoint/fixedpoint.h>

namespace {

std::int32_t MultiplyByQuantizedMultiplier(std::int32_t x, std::int32_t quantized_multiplier, int shift) {
  using gemmlowp::RoundingDivideByPOT;
  using gemmlowp::SaturatingRoundingDoublingHighMul;
  int left_shift = shift > 0 ? shift : 0;
  int right_shift = shift > 0 ? 0 : -shift;
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * (1 << left_shift), quantized_multiplier),
                             right_shift);
}

}  // namespace

int main() {
  char op;
  long long a, b, c;
  while (std::scanf(" %c", &op) == 1) {
    std::int32_t result;
    switch (op) {
      case 'S':
        if (std::scanf("%lld %lld", &a, &b) != 2) return 2;
        result = gemmlowp::SaturatingRoundingDoublingHighMul(static_cast<std::int32_t>(a), static_cast<std::int32_t>(b));
        break;
      case 'R':
        if (std::scanf("%lld %lld", &a, &b) != 2) return 2;
        result = gemmlowp::RoundingDivideByPOT(static_cast<std::int32_t>(a), static_cast<int>(b));
        break;
      case 'M':
        if (std::scanf("%lld %lld %lld", &a, &b, &c) != 3) return 2;
        result = MultiplyByQuantizedMultiplier(static_cast<std::int32_t>(a), static_cast<std::int32_t>(b), static_cast<int>(c));
        break;
      default:
        std::fprintf(stderr, "unknown command '%c'\n", op);
        return 3;
    }
    std::printf("%d\n", static_cast<int>(result));
  }
  return 0;
}
