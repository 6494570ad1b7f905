// Moorage's one addition to the Python language host built from sdk v3.79.0.
//
// scripts/bootstrap-tools adds this file to the host's package at build time (go build
// -overlay) and renames the host's own RunPlugin to runPluginFromProgramField; nothing
// else of the host changes. See tools/README.md, "Policy packs and this language host".
//
// Why: the engine starts a directory policy pack (PulumiPolicy.yaml, `runtime: python`)
// with the language host's RunPlugin. Engines since the ProgramInfo protocol send the
// plugin as RunPluginRequest.info (its directory and its PulumiPolicy.yaml runtime
// options) and leave the deprecated `program` field empty. The v3.79.0 host reads only
// `program`, and only its own command-line `virtualenv`, so it ran `python '' ADDRESS`
// in the project directory, which exits at once: "could not read plugin [...]: EOF".
// Its generated protocol code predates `info`, so the field arrives as unknown bytes;
// this file decodes it.

package main

import (
	"fmt"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// Field numbers from the engine's protocol that the v3.79.0 generated code lacks.
const (
	runPluginRequestInfoField protowire.Number = 5 // RunPluginRequest.info
	programInfoRootField      protowire.Number = 1 // ProgramInfo.root_directory
	programInfoProgramField   protowire.Number = 2 // ProgramInfo.program_directory
	programInfoOptionsField   protowire.Number = 4 // ProgramInfo.options
)

// RunPlugin runs a Python plugin as the engine describes it today: the plugin's directory
// (python runs its __main__.py) with the `virtualenv` runtime option of the plugin's own
// project file, resolved against that file's directory, as the current host does. A
// request with `program` set is run exactly as before.
func (host *pythonLanguageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	if req.Program != "" {
		return host.runPluginFromProgramField(req, server)
	}
	fields, err := lengthDelimitedFields(req.ProtoReflect().GetUnknown())
	if err != nil {
		return fmt.Errorf("reading the plugin's program info: %w", err)
	}
	encodedInfo, ok := fields[runPluginRequestInfoField]
	if !ok {
		return host.runPluginFromProgramField(req, server)
	}
	info, err := lengthDelimitedFields(encodedInfo)
	if err != nil {
		return fmt.Errorf("reading the plugin's program info: %w", err)
	}
	options := &structpb.Struct{}
	if err := proto.Unmarshal(info[programInfoOptionsField], options); err != nil {
		return fmt.Errorf("reading the plugin's runtime options: %w", err)
	}
	virtualenv, _ := options.AsMap()["virtualenv"].(string)

	plugin := *host
	plugin.virtualenv = virtualenv
	plugin.virtualenvPath = resolveVirtualEnvironmentPath(string(info[programInfoRootField]), virtualenv)
	request := proto.Clone(req).(*pulumirpc.RunPluginRequest)
	request.Program = string(info[programInfoProgramField])
	return plugin.runPluginFromProgramField(request, server)
}

// lengthDelimitedFields maps each length-delimited field (strings, messages) of an encoded
// message to its last value; other fields are skipped.
func lengthDelimitedFields(encoded []byte) (map[protowire.Number][]byte, error) {
	fields := map[protowire.Number][]byte{}
	for len(encoded) > 0 {
		number, wireType, n := protowire.ConsumeTag(encoded)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		encoded = encoded[n:]
		if wireType == protowire.BytesType {
			value, m := protowire.ConsumeBytes(encoded)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			fields[number] = value
			encoded = encoded[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(number, wireType, encoded)
		if m < 0 {
			return nil, protowire.ParseError(m)
		}
		encoded = encoded[m:]
	}
	return fields, nil
}
