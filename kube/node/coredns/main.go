// A CoreDNS for the test node: only the plugins a single-node cluster's DNS needs. The stock build links every
// plugin, and with them the cloud SDKs (about 1.4 GB of modules); this one needs a few hundred MB.
// kube/build-node.sh builds it; its Corefile is in the ConfigMap of kube/node/coredns.yaml.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/template"
)

func init() {
	// The order in which a query passes the plugins, whatever order a Corefile lists them in. It follows the
	// relative order of CoreDNS's own plugin.cfg for the plugins kept here.
	dnsserver.Directives = []string{
		"reload", "ready", "health", "errors", "log", "loadbalance", "cache", "template", "kubernetes",
	}
}

func main() { coremain.Run() }
