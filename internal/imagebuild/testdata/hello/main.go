// Command hello is the smallest action binary, for imagebuild's tests.
package main

import "fmt"

func main() { fmt.Println("hello from an imagebuild test") }
