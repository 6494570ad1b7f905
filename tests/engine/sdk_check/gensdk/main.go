// Command gensdk writes the TypeScript and Go SDKs of a package schema with Pulumi's own
// code generators (pkg/v3/codegen/nodejs and codegen/go, at PULUMI_VERSION).
//
// `pulumi package gen-sdk` does the same through the nodejs and go language hosts, but the
// module proxy does not serve their modules, so the pinned toolchain has neither. The
// generators are the ones those hosts call.
//
// Usage: gensdk SCHEMA.json KUBERNETES-SCHEMA.json OUT-DIR   (writes OUT-DIR/nodejs, OUT-DIR/go)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// fileLoader serves the packages a schema refers to (here: kubernetes) from schema files.
type fileLoader struct {
	packages map[string]*schema.Package
}

func (l *fileLoader) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	if pkg, ok := l.packages[name]; ok {
		return pkg, nil
	}
	return nil, fmt.Errorf("no schema for package %q", name)
}

func (l *fileLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}

func (l *fileLoader) LoadPackageReference(name string, v *semver.Version) (schema.PackageReference, error) {
	pkg, err := l.LoadPackage(name, v)
	if err != nil {
		return nil, err
	}
	return pkg.Reference(), nil
}

func (l *fileLoader) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, d.Version)
}

func readSpec(path string) (schema.PackageSpec, error) {
	var spec schema.PackageSpec
	data, err := os.ReadFile(path)
	if err != nil {
		return spec, err
	}
	return spec, json.Unmarshal(data, &spec)
}

func write(dir string, files map[string][]byte) error {
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func run(schemaPath, kubernetesPath, out string) error {
	loader := &fileLoader{packages: map[string]*schema.Package{}}
	kubernetesSpec, err := readSpec(kubernetesPath)
	if err != nil {
		return err
	}
	kubernetes, err := schema.ImportSpec(kubernetesSpec, nil, loader, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("kubernetes schema: %w", err)
	}
	loader.packages["kubernetes"] = kubernetes

	spec, err := readSpec(schemaPath)
	if err != nil {
		return err
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	if err := pkg.ImportLanguages(map[string]schema.Language{"nodejs": nodejs.Importer}); err != nil {
		return err
	}
	files, err := nodejs.GeneratePackage("pulumi-language-nodejs", pkg, nil, nil, false, loader)
	if err != nil {
		return fmt.Errorf("nodejs: %w", err)
	}
	if err := write(filepath.Join(out, "nodejs"), files); err != nil {
		return err
	}
	files, err = gogen.GeneratePackage("pulumi-language-go", pkg, nil)
	if err != nil {
		return fmt.Errorf("go: %w", err)
	}
	return write(filepath.Join(out, "go"), files)
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gensdk SCHEMA.json KUBERNETES-SCHEMA.json OUT-DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "gensdk:", err)
		os.Exit(1)
	}
}
