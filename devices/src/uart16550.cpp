// uart16550: being written (engineer P2).
