// dma8237: being written (engineer P2).
