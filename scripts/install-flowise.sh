#!/usr/bin/env bash
# Install Flowise 3.1.4 from npm into a cache folder outside the checkout, once.
# The folder is $ASSISTPLAN_FLOWISE_HOME, or ~/.cache/assistplan/flowise-3.1.4 by default.
# faiss-node's install script needs network access beyond the registry, so install scripts are skipped
# and only sqlite3 (the one native module the REST API needs) is rebuilt.
set -euo pipefail
version=3.1.4
dest=${ASSISTPLAN_FLOWISE_HOME:-$HOME/.cache/assistplan/flowise-$version}
marker="$dest/.assistplan-installed"
if [ -f "$marker" ]; then
  echo "Flowise $version already installed in $dest"
  exit 0
fi
mkdir -p "$dest"
cd "$dest"
[ -f package.json ] || echo '{"name":"assistplan-flowise","private":true}' > package.json
npm install "flowise@$version" --ignore-scripts --no-audit --no-fund --loglevel=error
npm rebuild sqlite3 --loglevel=error
node -e "require('sqlite3')"
touch "$marker"
echo "Flowise $version installed in $dest"
