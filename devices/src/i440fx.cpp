// i440fx: being written (engineer P2).
