package engine

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

const controlsPackagePrefix = "data.shoko.controls."

// loadPolicies parses every .rego file, ties each control to its package and checks that every
// finding code a policy can emit is worded in the control's messages.
func loadPolicies(src CatalogSource, cat *Catalog) []string {
	var problems []string
	addf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	type policyFile struct {
		fsys fs.FS
		dir  string
		f    string
	}
	var files []policyFile
	for _, dir := range src.policyDirs() {
		var in []string
		err := fs.WalkDir(dir.fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".rego") {
				in = append(in, p)
			}
			return nil
		})
		if err != nil {
			return []string{fmt.Sprintf("%s: %v", dir.name, err)}
		}
		sort.Strings(in)
		for _, f := range in {
			files = append(files, policyFile{dir.fsys, dir.name, f})
		}
	}

	modules := map[string]*ast.Module{} // by display path, non-test only
	byPackage := map[string][]string{}  // package path → display paths
	for _, pf := range files {
		f, name := pf.f, path.Join(pf.dir, pf.f)
		if _, dup := cat.Sources[name]; dup {
			addf("%s: read twice (the catalog's policies and policies_dir name the same file): give policies_dir another directory", name)
			continue
		}
		b, err := fs.ReadFile(pf.fsys, f)
		if err != nil {
			addf("%s: %v", name, err)
			continue
		}
		cat.Sources[name] = b
		m, err := ast.ParseModuleWithOpts(name, string(b), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			addf("%s", strings.TrimPrefix(err.Error(), "1 error occurred: "))
			continue
		}
		if strings.HasSuffix(f, "_test.rego") {
			cat.Tests[name] = string(b)
			continue
		}
		cat.Policies[name] = string(b)
		if cat.parsed == nil {
			cat.parsed = map[string]*ast.Module{}
		}
		cat.parsed[name] = m
		modules[name] = m
		pkg := m.Package.Path.String()
		byPackage[pkg] = append(byPackage[pkg], name)
	}

	controlByPackage := map[string]*Control{}
	for _, c := range cat.Controls {
		controlByPackage["data."+c.Package] = c
		if len(byPackage["data."+c.Package]) == 0 {
			addf("%s:1: control %s has no policy (expected package %s in %s)", c.File, c.ID, c.Package, src.PoliciesName)
		}
	}
	pkgs := make([]string, 0, len(byPackage))
	for p := range byPackage {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		names := byPackage[pkg]
		if !strings.HasPrefix(pkg, controlsPackagePrefix) {
			continue
		}
		c, ok := controlByPackage[pkg]
		if !ok {
			addf("%s:1: policy package %s has no control in %s", names[0], strings.TrimPrefix(pkg, "data."), src.ControlsName)
			continue
		}
		if len(names) > 1 {
			addf("%s:1: package %s is split over several files (%s); keep one file per control", names[0], strings.TrimPrefix(pkg, "data."), strings.Join(names, ", "))
		}
		if !definesRule(modules[names[0]], "findings") {
			addf("%s:1: policy %s defines no `findings` rule", names[0], strings.TrimPrefix(pkg, "data."))
		}
		c.HasPopulationFindings = definesRule(modules[names[0]], "population_findings")
		for _, u := range findingCodes(modules[names[0]], modules, byPackage) {
			if _, ok := c.Messages[u.code]; !ok {
				addf("%s:%d: finding code %q has no message in %s", u.file, u.line, u.code, c.File)
			}
		}
	}
	return problems
}

func definesRule(m *ast.Module, name string) bool {
	for _, r := range m.Rules {
		if r.Head.Ref().String() == name {
			return true
		}
	}
	return false
}

type codeUse struct {
	code, file string
	line       int
}

// findingCodes lists the literal finding codes a module can emit, including those of the
// helper modules it imports (an attestation control emits its codes through a shared library).
// A code is the first argument of a call to pass/fail/not_applicable, or the value of a "code"
// key in an object literal.
func findingCodes(m *ast.Module, all map[string]*ast.Module, byPackage map[string][]string) []codeUse {
	visit := []*ast.Module{m}
	seen := map[*ast.Module]bool{m: true}
	for _, imp := range m.Imports {
		for _, name := range byPackage[imp.Path.String()] {
			if im := all[name]; !seen[im] {
				seen[im] = true
				visit = append(visit, im)
			}
		}
	}
	var uses []codeUse
	add := func(t *ast.Term) {
		if s, ok := t.Value.(ast.String); ok && t.Location != nil {
			uses = append(uses, codeUse{code: string(s), file: t.Location.File, line: t.Location.Row})
		}
	}
	for _, mod := range visit {
		ast.WalkTerms(mod, func(t *ast.Term) bool {
			switch v := t.Value.(type) {
			case ast.Call:
				if op, ok := v[0].Value.(ast.Ref); ok && len(v) >= 2 && len(op) > 0 {
					last := op[len(op)-1].Value
					if last.Compare(ast.String("pass")) == 0 || last.Compare(ast.String("fail")) == 0 || last.Compare(ast.String("not_applicable")) == 0 {
						add(v[1])
					}
				}
			case ast.Object:
				if val := v.Get(ast.StringTerm("code")); val != nil {
					add(val)
				}
			}
			return false
		})
	}
	sort.Slice(uses, func(i, j int) bool {
		if uses[i].file != uses[j].file {
			return uses[i].file < uses[j].file
		}
		return uses[i].line < uses[j].line
	})
	return uses
}
