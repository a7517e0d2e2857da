// piix3: being written (engineer P2).
