package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The krew manifest template (plugin/krew/ordinal.yaml) has only the placeholders kube/build-plugin.sh --release
// fills, and once filled it is a krew Plugin whose every platform installs this binary from its own archive.
func TestKrewTemplate(t *testing.T) {
	raw, err := os.ReadFile("../krew/ordinal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var body []string
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "#") { // the script drops the template's comments the same way
			body = append(body, line)
		}
	}
	text := strings.Join(body, "\n")
	fills := map[string]string{"{{VERSION}}": "1.2.3", "{{BASE_URL}}": "https://example.invalid/r"}
	for _, p := range []string{"LINUX_AMD64", "LINUX_ARM64", "DARWIN_AMD64", "DARWIN_ARM64"} {
		fills["{{SHA256_"+p+"}}"] = strings.Repeat("a", 64)
	}
	for placeholder, value := range fills {
		text = strings.ReplaceAll(text, placeholder, value)
	}
	if left := regexp.MustCompile(`\{\{[^}]*\}\}`).FindString(text); left != "" {
		t.Fatalf("a placeholder build-plugin.sh does not fill: %s", left)
	}
	var m struct {
		APIVersion string                `json:"apiVersion"`
		Kind       string                `json:"kind"`
		Metadata   struct{ Name string } `json:"metadata"`
		Spec       struct {
			Version          string `json:"version"`
			ShortDescription string `json:"shortDescription"`
			Description      string `json:"description"`
			Caveats          string `json:"caveats"`
			Platforms        []struct {
				Selector struct {
					MatchLabels map[string]string `json:"matchLabels"`
				} `json:"selector"`
				URI    string `json:"uri"`
				SHA256 string `json:"sha256"`
				Bin    string `json:"bin"`
			} `json:"platforms"`
		} `json:"spec"`
	}
	if err := yaml.UnmarshalStrict([]byte(text), &m, yaml.DisallowUnknownFields); err != nil {
		t.Fatalf("filled manifest: %v", err)
	}
	if m.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || m.Kind != "Plugin" || m.Metadata.Name != "ordinal" ||
		m.Spec.Version != "v1.2.3" || m.Spec.ShortDescription == "" {
		t.Errorf("header: %+v", m)
	}
	if len(m.Spec.Platforms) != 4 {
		t.Fatalf("want 4 platforms, got %d", len(m.Spec.Platforms))
	}
	for _, p := range m.Spec.Platforms {
		osArch := p.Selector.MatchLabels["os"] + "_" + p.Selector.MatchLabels["arch"]
		if p.Bin != "kubectl-ordinal" || !strings.HasSuffix(p.URI, "/kubectl-ordinal_1.2.3_"+osArch+".tar.gz") || len(p.SHA256) != 64 {
			t.Errorf("platform %s: %+v", osArch, p)
		}
	}
}
