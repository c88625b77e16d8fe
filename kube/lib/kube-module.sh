# Sourced by kube/build-control-plane.sh and kube/build-node.sh: the wrapper module that builds k8s.io/kubernetes
# commands from the Go module proxy, and the linker flags that stamp their version.
#
# Why a wrapper module: k8s.io/kubernetes's go.mod requires its staging modules (k8s.io/api, apimachinery, ...) at
# v0.0.0 and replaces them with ./staging paths. A dependency's replace directives are ignored, so `go install
# k8s.io/kubernetes/cmd/kube-apiserver@vX` cannot resolve them. The wrapper requires k8s.io/kubernetes vX and replaces
# every module that the release's own go.mod points at ./staging with the published k8s.io/<name> v0.<minor>.<patch>.
# The list is read from the downloaded go.mod, not written here.

# kube_wrapper_module MODULE_NAME CMD...: writes go.mod and tools.go for k8s.io/kubernetes v$KUBE_VERSION into the
# current directory, importing k8s.io/kubernetes/cmd/<CMD> for each CMD, and runs go mod tidy. Sets GO_DIRECTIVE.
# Calls fail (defined by the caller) with one line when the proxy or tidy fails.
kube_wrapper_module() {
  local module="$1"; shift
  local minor="${KUBE_VERSION#*.}"; minor="${minor%%.*}"
  local staging_version="v0.$minor.${KUBE_VERSION##*.}"
  local gomod_json kube_gomod staging m cmd
  gomod_json="$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" 2>&1)" \
    || fail "cannot fetch k8s.io/kubernetes@v$KUBE_VERSION from the Go module proxy ($(go env GOPROXY)): $(echo "$gomod_json" | tail -1)"
  kube_gomod="$(echo "$gomod_json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [ -f "$kube_gomod" ] || fail "go mod download gave no go.mod for k8s.io/kubernetes@v$KUBE_VERSION"
  GO_DIRECTIVE="$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$kube_gomod" | head -1)"
  staging="$(sed -n 's#^[[:space:]]*\(k8s.io/[A-Za-z0-9._-]*\) => ./staging/.*#\1#p' "$kube_gomod" | sort -u)"
  [ -n "$staging" ] || fail "found no staging replace directives in k8s.io/kubernetes@v$KUBE_VERSION's go.mod"
  {
    echo "module $module"
    echo
    echo "go $GO_DIRECTIVE"
    echo
    echo "require k8s.io/kubernetes v$KUBE_VERSION"
    echo
    for m in $staging; do echo "replace $m => $m $staging_version"; done
  } > go.mod
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for cmd in "$@"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$cmd"; done
    printf ')\n'
  } > tools.go
  go mod tidy -e >tidy.log 2>&1 || fail "go mod tidy failed for kube $KUBE_VERSION: $(tail -1 tidy.log)"
}

# kube_version_flags: the -X linker flags that make /version and --version say v$KUBE_VERSION (else v0.0.0-master).
kube_version_flags() {
  local minor="${KUBE_VERSION#*.}"; minor="${minor%%.*}"
  local pkg flags=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}
