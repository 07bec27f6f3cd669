#!/usr/bin/env bash
# What the consumer tests (tests/ParamikoJump.IntegrationTests/ConsumerTests.cs) run besides the .NET SDK: Mono, to run
# a .NET Framework 4.7.2 consumer of the package (the nearest stand-in for .NET Framework on Linux), and the
# PowerShell 7 global tool, to run the README's PowerShell script. Idempotent; run as root (tests/run does).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=$ROOT/artifacts/tools
POWERSHELL_VERSION=7.6.9

if ! command -v mono >/dev/null || [[ ! -e /usr/lib/mono/4.5/System.Net.Http.dll ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "tests/compat/install.sh: Mono is missing and only root can install it (apt-get install mono-devel)" >&2
    else
        echo "tests/compat/install.sh: installing mono-devel" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends mono-devel >/dev/null
    fi
fi

if [[ ! -x $TOOLS/pwsh ]]; then
    echo "tests/compat/install.sh: installing the PowerShell $POWERSHELL_VERSION global tool into $TOOLS" >&2
    dotnet tool install --tool-path "$TOOLS" PowerShell --version "$POWERSHELL_VERSION" >/dev/null
fi
