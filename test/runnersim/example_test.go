package runnersim_test

import (
	"fmt"

	"github.com/shipkit-dev/shipkit/test/runnersim"
)

func ExampleParseFileCommand() {
	outputs, err := runnersim.ParseFileCommand("result=bumped\npackages<<EOF_1\n[\"a\",\n \"b\"]\nEOF_1\n")
	if err != nil {
		panic(err)
	}
	fmt.Println(outputs["result"])
	fmt.Println(outputs["packages"])
	// Output:
	// bumped
	// ["a",
	//  "b"]
}

func ExampleInputVar() {
	fmt.Println(runnersim.InputVar("tag-template"))
	// Output: INPUT_TAG-TEMPLATE
}
