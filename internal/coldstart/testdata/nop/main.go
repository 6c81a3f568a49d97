// Command nop does nothing: its start and exit is what any Go program
// costs on the machine, the floor under every function's init.
package main

func main() {}
