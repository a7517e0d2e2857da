; A flat binary that spins forever (JMP to itself): the CLI tests use it to check that
; --max-insns ends a run cleanly with status 0 and that --stats counts exactly the limit.
bits 16
org 0
spin:
    jmp spin
