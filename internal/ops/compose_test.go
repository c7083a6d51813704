package ops

import (
	"net"
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// composeFile is the part of docker-compose.yml this test reads.
type composeFile struct {
	Services map[string]struct {
		Environment map[string]string `yaml:"environment"`
		Ports       []yaml.Node       `yaml:"ports"`
	} `yaml:"services"`
}

// reference is a compose variable reference: ${NAME}, ${NAME:-default}, ${NAME:?message}, ...
var reference = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?[^}]*\}`)

// urlPassword finds the password of a URL; required is a value that is only a required variable.
var (
	urlPassword = regexp.MustCompile(`://[^:/@]+:([^@]*)@`)
	required    = regexp.MustCompile(`^\$\{[A-Za-z0-9_]+:\?[^}]*\}$`)
)

func TestComposeShipsNoPasswordAndPublishesNothingToTheWorld(t *testing.T) {
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Services) == 0 {
		t.Fatal("docker-compose.yml has no services")
	}
	for name, svc := range c.Services {
		for key, value := range svc.Environment {
			for _, m := range reference.FindAllStringSubmatch(value, -1) {
				if strings.Contains(m[1], "PASSWORD") && m[2] != ":?" && m[2] != "?" {
					t.Errorf("%s: %s uses ${%s} without requiring it (want ${%s:?message}): %s", name, key, m[1], m[1], m[0])
				}
			}
			if strings.Contains(key, "PASSWORD") && !reference.MatchString(value) {
				t.Errorf("%s: %s is a literal password", name, key)
			}
			if u := urlPassword.FindStringSubmatch(value); u != nil && !required.MatchString(u[1]) {
				t.Errorf("%s: %s carries a password that is not a required variable: %s", name, key, u[1])
			}
		}
		// The ops port has no authentication and the interactions endpoint belongs behind a
		// TLS proxy: whatever is published is published on loopback only.
		for _, p := range svc.Ports {
			host := ""
			switch p.Kind {
			case yaml.ScalarNode:
				if parts := strings.Split(p.Value, ":"); len(parts) == 3 {
					host = parts[0]
				}
			case yaml.MappingNode:
				var long struct {
					HostIP string `yaml:"host_ip"`
				}
				if err := p.Decode(&long); err != nil {
					t.Fatal(err)
				}
				host = long.HostIP
			}
			if ip := net.ParseIP(strings.Trim(host, "[]")); ip == nil || !ip.IsLoopback() {
				t.Errorf("%s publishes port %q on all interfaces; bind it to 127.0.0.1", name, p.Value)
			}
		}
	}
}
