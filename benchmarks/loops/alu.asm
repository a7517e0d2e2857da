; Register-only ALU loop: 10 instructions per iteration, no memory operands (32-bit registers).
%include "rom.inc"
ROM_BEGIN
    mov eax, 1
    mov ebx, 3
    mov ecx, 5
    mov edx, 7
.loop:
    add eax, ebx
    xor ecx, eax
    sub edx, ecx
    and esi, edx
    or edi, eax
    inc ebx
    dec esi
    cmp eax, ecx
    dec ebp
    jnz .loop
ROM_END
