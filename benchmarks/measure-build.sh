#!/usr/bin/env bash
# Times `dotnet build` of throwaway projects that use this repository's KernelGen the way a package consumer does (the
# generator as an analyzer, the runtime as a reference), to check that large models compile fast. See GENERATOR.md.
#
#   benchmarks/measure-build.sh [work-dir]        # default: a new temporary directory, kept for inspection
#
# Models (every weight uniform random int8 from a fixed seed, written as AdditionalFiles binaries unless noted):
#   m0         1 x Dense(8, 8): the cost of building any such project, for comparison
#   m1         10 x Dense(324, 324), ReLU: 1,049,760 weight bytes (1 MiB) in 10 WeightsFile items
#   m1-inline  the same model with the weights as inline `static readonly sbyte[]` fields in the model's source
#   m10        10 x Dense(1024, 1024), ReLU: 10,485,760 weight bytes (10 MiB) in 10 WeightsFile items
# For each: "first" is the first `dotnet build` (restore included); "rebuild" is `dotnet build --no-restore` after
# touching the model's .cs file (the compiler server is warm, so this is the compile a developer waits for; the best of
# three); "no server" is the same rebuild with -p:UseSharedCompilation=false (a cold csc process, as on a CI machine
# without a warm server), and "(CPU)" the user + system CPU seconds of that build. "generator" is the KernelGen generator's own time inside csc on the last rebuild
# (-p:ReportAnalyzer=true); "generated-B" the size of the generated file. Each project also runs once: Run and
# RunReference must agree on a random row. MODELS="m1 m10" picks models. The machine's load is printed: on a shared
# machine, compare runs taken under similar load.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/kernelgen-build.XXXXXX)}
mkdir -p "$work"
MODELS=${MODELS:-"m0 m1 m1-inline m10"}

echo "Building the generator and the runtime (Release)..." >&2
dotnet build "$repo/generator/KernelGen.Generator" -c Release -v:q -nologo >&2
dotnet build "$repo/runtime/KernelGen.Runtime" -c Release -v:q -nologo >&2
generator_dll=$repo/generator/KernelGen.Generator/bin/Release/netstandard2.0/KernelGen.Generator.dll
runtime_dll=$repo/runtime/KernelGen.Runtime/bin/Release/net10.0/KernelGen.Runtime.dll

# make_project NAME LAYERS SIZE INLINE(0|1)
make_project() {
    local name=$1 layers=$2 size=$3 inline=$4 dir=$work/$1
    mkdir -p "$dir/weights"
    cat > "$dir/$name.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
    <Nullable>enable</Nullable>
    <AssemblyName>KernelGenBuildBench</AssemblyName>
  </PropertyGroup>
  <ItemGroup>
    <Analyzer Include="$generator_dll" />
    <Reference Include="$runtime_dll" />
    <AdditionalFiles Include="weights/*.bin" />
  </ItemGroup>
</Project>
EOF
    /usr/bin/python3 - "$dir" "$layers" "$size" "$inline" <<'EOF'
import random, sys
directory, layers, size, inline = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
attributes, fields = [], []
for i in range(layers):
    data = random.Random(1000 + i).randbytes(size * size)
    source = f'Weights = nameof(W{i})' if inline else f'WeightsFile = "weights/fc{i}.bin"'
    attributes.append(f'[Dense({size}, {size}, Name = "fc{i}", {source}, WeightScale = 0.0005f, '
                      f'OutputScale = 0.02f, Activation = Activation.Relu)]')
    if inline:
        values = [b - 256 if b > 127 else b for b in data]
        rows = ",\n        ".join(", ".join(map(str, values[r:r + 32])) for r in range(0, len(values), 32))
        fields.append(f"    private static readonly sbyte[] W{i} =\n    {{\n        {rows},\n    }};")
    else:
        open(f"{directory}/weights/fc{i}.bin", "wb").write(data)
with open(f"{directory}/Model.cs", "w") as f:
    f.write("using KernelGen;\n\nnamespace BuildBench;\n\n")
    f.write(f"[QuantizedModel({size}, InputScale = 0.02f, InputZeroPoint = 128)]\n")
    f.write("\n".join(attributes) + "\n")
    f.write("public static partial class Model\n{\n" + "\n".join(fields) + "\n}\n")
EOF
    cat > "$dir/Program.cs" <<'EOF'
using System;
using BuildBench;

var input = new byte[Model.InputSize];
new Random(1).NextBytes(input);
var output = new byte[Model.OutputSize];
var reference = new byte[Model.OutputSize];
Model.Run(input, output);
Model.RunReference(input, reference);
Console.WriteLine(output.AsSpan().SequenceEqual(reference) ? $"Run == RunReference ({Model.ActivePath})" : "Run != RunReference");
return output.AsSpan().SequenceEqual(reference) ? 0 : 1;
EOF
}

seconds() { local start=$1; echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.1f'; }

# timed_build DIR ARGS...: prints the seconds one build took; the build log goes to DIR/build.log
timed_build() {
    local dir=$1; shift
    local start; start=$(date +%s.%N)
    dotnet build "$dir" -c Release -nologo "$@" > "$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; exit 1; }
    seconds "$start"
}

printf '%-10s %12s %8s %10s %16s %10s %10s %10s %12s  %s\n' model weight-bytes first rebuild "(each of 3)" "no server" "(CPU)" generator generated-B run
for name in $MODELS; do
    case $name in
        m0) make_project m0 1 8 0 ;;
        m1) make_project m1 10 324 0 ;;
        m1-inline) make_project m1-inline 10 324 1 ;;
        m10) make_project m10 10 1024 0 ;;
        *) echo "unknown model $name" >&2; exit 2 ;;
    esac
    dir=$work/$name
    first=$(timed_build "$dir" -p:EmitCompilerGeneratedFiles=true)
    rebuilds=()
    for i in 1 2 3; do
        touch "$dir/Model.cs"
        rebuilds+=("$(timed_build "$dir" --no-restore -p:EmitCompilerGeneratedFiles=true)")
    done
    best=$(printf '%s\n' "${rebuilds[@]}" | sort -n | head -1)
    # No compiler server, one MSBuild process that exits: csc is its waited-for child, so /usr/bin/time counts the
    # CPU time of the whole build, a figure that other processes' load changes much less than the wall time.
    touch "$dir/Model.cs"
    start=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$dir/cpu.txt" dotnet build "$dir" -c Release -nologo --no-restore -m:1 -nodeReuse:false \
        -p:UseSharedCompilation=false > "$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; exit 1; }
    cold=$(seconds "$start")
    cpu=$(awk '{printf "%.1f", $1 + $2}' "$dir/cpu.txt")
    touch "$dir/Model.cs"
    timed_build "$dir" --no-restore -p:ReportAnalyzer=true -v:d > /dev/null
    generator=$(grep -m1 -E '^\s+[0-9.<]+ +[0-9<]+ +KernelGen.Generator.KernelGenGenerator' "$dir/build.log" | awk '{print $1}' || true)
    generated=$(find "$dir/obj" -name '*.KernelGen.g.cs' -printf '%s\n' | head -1)
    bytes=$(find "$dir/weights" -name '*.bin' -printf '%s\n' | paste -sd+ | bc)
    [ "$name" = m1-inline ] && bytes=1049760
    run=$(dotnet "$dir/bin/Release/net10.0/KernelGenBuildBench.dll")
    printf '%-10s %12s %7ss %9ss %16s %9ss %9ss %9ss %12s  %s\n' "$name" "$bytes" "$first" "$best" "$(IFS=/; echo "${rebuilds[*]}")" "$cold" "$cpu" "${generator:-?}" "$generated" "$run"
done
echo "(projects in $work; load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
