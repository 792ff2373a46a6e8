// Package letter builds the credit commitment letter (信用办水承诺书) of
// SPEC R2.1/R2.2 from attachment 2 of the work plan: its canonical plain text
// (whose SHA-256 is stored with the signed commitment), a printable HTML page
// and an A4 PDF.
//
// The PDF needs a CJK TrueType (.ttf, not .ttc) font at run time. On Debian
// install it with `apt-get install fonts-droid-fallback`, which provides
// /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf; FindCJKFont finds
// it, or PDFOptions.FontPath names another .ttf.
package letter
