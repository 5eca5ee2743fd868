package actionio_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/shipkit-dev/shipkit/internal/actionio"
)

var greetYML = []byte(`name: greet
description: Says hello.
inputs:
  who:
    description: Whom to greet.
    default: world
  loud:
    description: Shout.
    default: "false"
  token:
    description: Token for the API.
    default: ${{ github.token }}
outputs:
  greeting:
    description: The greeting.
runs:
  using: docker
  image: Dockerfile
`)

// noEnv is an empty environment: a run on a developer's machine.
func noEnv(string) string { return "" }

func ExampleAction_SetOutput() {
	// Locally (no GITHUB_ACTIONS, no GITHUB_OUTPUT) inputs come from flags and defaults, and
	// outputs are printed.
	a, err := actionio.New(greetYML, actionio.WithGetenv(noEnv), actionio.WithStdout(os.Stdout),
		actionio.WithArgs([]string{"--who", "Gopher", "--loud"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	loud, _ := a.Bool("loud")
	if err := a.SetOutput("greeting", fmt.Sprintf("hello, %s (loud: %v)", a.String("who"), loud)); err != nil {
		fmt.Println(err)
	}
	// Output: greeting=hello, Gopher (loud: true)
}

func ExampleAction_Bool() {
	a, _ := actionio.New(greetYML, actionio.WithGetenv(noEnv), actionio.WithArgs([]string{"--loud=yes"}))
	_, err := a.Bool("loud")
	fmt.Println(err)
	var inErr *actionio.InputError
	fmt.Println(errors.As(err, &inErr), inErr.Input)
	// Output:
	// input "loud": "yes" is not a boolean: use true or false
	// true loud
}

func ExampleAction_Mask() {
	a, _ := actionio.New(greetYML, actionio.WithGetenv(noEnv), actionio.WithStderr(os.Stdout),
		actionio.WithArgs([]string{"--token", "ghp_123456"}))
	a.Mask(a.String("token"))
	a.Infof("calling the API with %s", a.String("token"))
	// Output: calling the API with ***
}
