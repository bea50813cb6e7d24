// bdc-hcl-template reads one string from stdin and parses it with HashiCorp's HCL template parser,
// the one Terraform applies to every string of a .tf.json file. It prints JSON: the text Terraform
// would produce, with each plain reference (e.g. azurerm_storage_account.a.name) shown as
// <reference>, the list of those references, and anything else Terraform would evaluate
// (function calls, directives) or a parse error. The bdc stack's tests use it to prove that
// ConfigMap text reaches the cluster verbatim.
//
// With --all-strings, stdin is a whole cdk.tf.json: every string value in it is parsed, and the
// output lists the JSON paths of those Terraform could not parse.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

type result struct {
	Rendered   string   `json:"rendered"`
	References []string `json:"references"`
	Evaluated  []string `json:"evaluated"`
	Error      string   `json:"error,omitempty"`
}

type stringError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

type allStrings struct {
	Strings int           `json:"strings"`
	Errors  []stringError `json:"errors"`
}

func main() {
	src, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(os.Args) > 1 && os.Args[1] == "--all-strings" {
		checkAllStrings(src)
		return
	}
	out := result{References: []string{}, Evaluated: []string{}}
	expr, diags := hclsyntax.ParseTemplate(src, "template", hcl.Pos{Line: 1, Column: 1, Byte: 0})
	if diags.HasErrors() {
		out.Error = diags.Error()
	} else {
		var b strings.Builder
		render(expr, src, &b, &out)
		out.Rendered = b.String()
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func render(expr hclsyntax.Expression, src []byte, b *strings.Builder, out *result) {
	switch e := expr.(type) {
	case *hclsyntax.TemplateExpr:
		for _, part := range e.Parts {
			render(part, src, b, out)
		}
	case *hclsyntax.TemplateWrapExpr:
		render(e.Wrapped, src, b, out)
	case *hclsyntax.LiteralValueExpr:
		if e.Val.Type() == cty.String {
			b.WriteString(e.Val.AsString())
		} else {
			out.Evaluated = append(out.Evaluated, sourceOf(e, src))
		}
	case *hclsyntax.ScopeTraversalExpr:
		ref := sourceOf(e, src)
		out.References = append(out.References, ref)
		b.WriteString("<" + ref + ">")
	default:
		out.Evaluated = append(out.Evaluated, sourceOf(e, src))
	}
}

func sourceOf(e hclsyntax.Expression, src []byte) string {
	r := e.Range()
	return string(src[r.Start.Byte:r.End.Byte])
}

func checkAllStrings(src []byte) {
	var doc interface{}
	if err := json.Unmarshal(src, &doc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := allStrings{Errors: []stringError{}}
	walk(doc, "$", &out)
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func walk(v interface{}, path string, out *allStrings) {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, child := range t {
			walk(child, path+"."+k, out)
		}
	case []interface{}:
		for i, child := range t {
			walk(child, fmt.Sprintf("%s[%d]", path, i), out)
		}
	case string:
		out.Strings++
		if _, diags := hclsyntax.ParseTemplate([]byte(t), path, hcl.Pos{Line: 1, Column: 1, Byte: 0}); diags.HasErrors() {
			out.Errors = append(out.Errors, stringError{Path: path, Error: diags.Error()})
		}
	}
}
