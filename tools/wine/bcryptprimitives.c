/* Rust's standard library on Windows draws its random numbers (HashMap's keys) from
 * ProcessPrng in bcryptprimitives.dll, which Wine 8 (Debian 12's) does not have; later Wines
 * do. This stand-in gives ProcessPrng the bytes of RtlGenRandom, which Wine 8 has. It is only
 * for running the tests under Wine (tools/wine/test), never part of the workbook. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG part = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!RtlGenRandom(data, part)) return FALSE;
        data += part;
        length -= part;
    }
    return TRUE;
}
