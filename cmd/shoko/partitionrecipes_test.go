package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/internal/testenv"
)

// The partition recipes (docs/partitions.md), by path in the repository.
var partitionRecipes = []string{
	"deploy/partitions/kubernetes/runs-start-job.yaml",
	"deploy/partitions/kubernetes/indexed-job.yaml",
	"deploy/partitions/kubernetes/evaluate-job.yaml",
	"deploy/partitions/aws-batch/job-definition.json",
	"deploy/partitions/aws-batch/submit-runs-start.json",
	"deploy/partitions/aws-batch/submit-collect-array.json",
	"deploy/partitions/aws-batch/submit-evaluate.json",
	"deploy/partitions/github-actions/shoko-partitions.yml",
}

// recipeStep is one shoko command line a recipe runs, and where.
type recipeStep struct {
	where string
	args  []string
}

// recipeN is one place a recipe fixes the number of partitions.
type recipeN struct {
	where string
	n     int
}

// readRecipes parses every recipe into the shoko command lines it runs and the partition counts
// it fixes (completions, parallelism, array size, matrix length). A recipe that cannot be parsed
// or lacks a field is a problem.
func readRecipes(files map[string][]byte) (steps []recipeStep, ns []recipeN, problems []string) {
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, name := range partitionRecipes {
		b, ok := files[name]
		if !ok {
			bad("%s: missing", name)
			continue
		}
		switch {
		case strings.HasPrefix(name, "deploy/partitions/kubernetes/"):
			var job struct {
				Spec struct {
					CompletionMode string `yaml:"completionMode"`
					Completions    *int   `yaml:"completions"`
					Parallelism    *int   `yaml:"parallelism"`
					Template       struct {
						Spec struct {
							Containers []struct {
								Args []string `yaml:"args"`
							} `yaml:"containers"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			}
			if err := yaml.Unmarshal(b, &job); err != nil {
				bad("%s: %v", name, err)
				continue
			}
			if cs := job.Spec.Template.Spec.Containers; len(cs) != 1 {
				bad("%s: %d containers, want 1", name, len(cs))
			} else {
				steps = append(steps, recipeStep{name, cs[0].Args})
			}
			if strings.HasSuffix(name, "indexed-job.yaml") {
				if job.Spec.CompletionMode != "Indexed" || job.Spec.Completions == nil || job.Spec.Parallelism == nil {
					bad("%s: want completionMode Indexed, completions and parallelism", name)
					continue
				}
				ns = append(ns, recipeN{name + " completions", *job.Spec.Completions}, recipeN{name + " parallelism", *job.Spec.Parallelism})
			}
		case strings.HasPrefix(name, "deploy/partitions/aws-batch/"):
			var spec struct {
				ContainerProperties struct {
					Command []string `json:"command"`
				} `json:"containerProperties"`
				ContainerOverrides struct {
					Command []string `json:"command"`
				} `json:"containerOverrides"`
				ArrayProperties *struct {
					Size int `json:"size"`
				} `json:"arrayProperties"`
				JobDefinition string `json:"jobDefinition"`
			}
			if err := json.Unmarshal(b, &spec); err != nil {
				bad("%s: %v", name, err)
				continue
			}
			switch cmd := append(spec.ContainerProperties.Command, spec.ContainerOverrides.Command...); {
			case len(cmd) > 0:
				steps = append(steps, recipeStep{name, cmd})
			case spec.ArrayProperties != nil:
				// The array job runs the job definition's own command.
				ns = append(ns, recipeN{name + " arrayProperties.size", spec.ArrayProperties.Size})
			default:
				bad("%s: neither a command nor an array job", name)
			}
		default: // the GitHub Actions workflow
			var wf struct {
				Jobs map[string]struct {
					Strategy struct {
						Matrix struct {
							Partition []int `yaml:"partition"`
						} `yaml:"matrix"`
					} `yaml:"strategy"`
					Steps []struct {
						Run string `yaml:"run"`
					} `yaml:"steps"`
				} `yaml:"jobs"`
			}
			if err := yaml.Unmarshal(b, &wf); err != nil {
				bad("%s: %v", name, err)
				continue
			}
			for _, job := range []string{"start", "collect", "evaluate"} {
				j, ok := wf.Jobs[job]
				if !ok {
					bad("%s: no job %q", name, job)
					continue
				}
				if job == "collect" {
					ns = append(ns, recipeN{name + " matrix.partition", len(j.Strategy.Matrix.Partition)})
					for i, p := range j.Strategy.Matrix.Partition {
						if p != i+1 {
							bad("%s: matrix.partition[%d] is %d, want %d (partitions count from 1)", name, i, p, i+1)
						}
					}
				}
				for _, s := range j.Steps {
					if args := shokoCall(s.Run); args != nil {
						steps = append(steps, recipeStep{name + " job " + job, args})
					}
				}
			}
		}
	}
	return steps, ns, problems
}

// shokoCallRE finds the shoko invocation in a line of a workflow step's shell script, up to the
// end of a command substitution; actionsExprRE is a GitHub Actions expression (${{ … }}).
var (
	shokoCallRE   = regexp.MustCompile(`shoko"? ((?:runs start|collect|evaluate)\b[^)\n]*)`)
	actionsExprRE = regexp.MustCompile(`\$\{\{[^}]*\}\}`)
)

// shokoCall is the arguments of the shoko command a shell step runs (quotes dropped, each
// Actions expression made one word), or nil.
func shokoCall(script string) []string {
	script = actionsExprRE.ReplaceAllString(script, "EXPR")
	for _, line := range strings.Split(script, "\n") {
		if m := shokoCallRE.FindStringSubmatch(line); m != nil {
			return strings.Fields(strings.ReplaceAll(m[1], `"`, ""))
		}
	}
	return nil
}

// recipeProblems checks the recipes run runs start → collect → evaluate, with flags the real
// commands accept, and one N everywhere: --partitions N of runs start and collect, the N of
// --partition I/N, completions, parallelism, array size and matrix length.
func recipeProblems(files map[string][]byte) []string {
	steps, ns, problems := readRecipes(files)
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	seen := map[string]int{}
	for _, s := range steps {
		root := (&app{}).rootCommand()
		cmd, rest, err := root.Find(s.args)
		if err != nil || cmd == root {
			bad("%s: %v is no shoko command: %v", s.where, s.args, err)
			continue
		}
		if err := cmd.ParseFlags(rest); err != nil {
			bad("%s: shoko %s: %v", s.where, strings.Join(s.args, " "), err)
			continue
		}
		name := cmd.CommandPath()
		seen[name]++
		if f := cmd.Flags().Lookup("run"); name != "shoko runs start" && (f == nil || f.Value.String() == "") {
			bad("%s: %s names no --run", s.where, name)
		}
		if f := cmd.Flags().Lookup("config"); f == nil || f.Value.String() == "" {
			bad("%s: %s names no --config (the store is the config's)", s.where, name)
		}
		if f := cmd.Flags().Lookup("partitions"); f != nil && f.Changed {
			n, _ := strconv.Atoi(f.Value.String())
			ns = append(ns, recipeN{s.where + " " + name + " --partitions", n})
		}
		if f := cmd.Flags().Lookup("partition"); f != nil && f.Changed {
			_, nPart, ok := strings.Cut(f.Value.String(), "/")
			n, err := strconv.Atoi(nPart)
			if !ok || err != nil {
				bad("%s: --partition %q: want I/N", s.where, f.Value.String())
			}
			ns = append(ns, recipeN{s.where + " --partition I/N", n})
		}
		if name == "shoko collect" && !cmd.Flags().Lookup("partitions").Changed && !cmd.Flags().Lookup("partition").Changed {
			bad("%s: collect without --partition or --partitions", s.where)
		}
	}
	for _, want := range []string{"shoko runs start", "shoko collect", "shoko evaluate"} {
		if seen[want] != 3 { // Kubernetes, AWS Batch, GitHub Actions
			bad("%s is run by %d recipes, want 3", want, seen[want])
		}
	}
	for _, n := range ns {
		if n.n != ns[0].n || n.n < 1 {
			bad("%s is %d, but %s is %d: one N everywhere", n.where, n.n, ns[0].where, ns[0].n)
		}
	}
	return problems
}

func readPartitionRecipes(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, name := range partitionRecipes {
		b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	return files
}

func TestPartitionRecipesRunTheCommandsWithOneN(t *testing.T) {
	files := readPartitionRecipes(t)
	if p := recipeProblems(files); len(p) > 0 {
		t.Fatalf("the recipes:\n%s", strings.Join(p, "\n"))
	}
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		{"parallelism differs", "deploy/partitions/kubernetes/indexed-job.yaml", "parallelism: 8", "parallelism: 7", "parallelism is 7"},
		{"array size differs", "deploy/partitions/aws-batch/submit-collect-array.json", `"size": 8`, `"size": 9`, "arrayProperties.size is 9"},
		{"matrix one short", "deploy/partitions/github-actions/shoko-partitions.yml", "[1, 2, 3, 4, 5, 6, 7, 8]", "[1, 2, 3, 4, 5, 6, 7]", "matrix.partition is 7"},
		{"matrix 0-based", "deploy/partitions/github-actions/shoko-partitions.yml", "[1, 2, 3, 4, 5, 6, 7, 8]", "[0, 1, 2, 3, 4, 5, 6, 7]", "partitions count from 1"},
		{"a flag collect does not have", "deploy/partitions/kubernetes/indexed-job.yaml", `"--partitions", "8"`, `"--partitons", "8"`, "unknown flag: --partitons"},
		{"start with another N", "deploy/partitions/aws-batch/submit-runs-start.json", `"--partitions", "8"`, `"--partitions", "4"`, "--partitions is 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := map[string][]byte{}
			for k, v := range files {
				c[k] = v
			}
			if !bytes.Contains(c[tc.file], []byte(tc.old)) {
				t.Fatalf("%s does not hold %q", tc.file, tc.old)
			}
			c[tc.file] = bytes.Replace(c[tc.file], []byte(tc.old), []byte(tc.new), 1)
			p := strings.Join(recipeProblems(c), "\n")
			if !strings.Contains(p, tc.want) {
				t.Fatalf("problems do not say %q:\n%s", tc.want, p)
			}
		})
	}
}
