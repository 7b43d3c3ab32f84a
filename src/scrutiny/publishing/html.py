"""The house stylesheet every report's HTML tables use (A4, printable, no meaning by colour alone)."""

STYLE = """
<style>
@page { size: A4 landscape; margin: 12mm 10mm 14mm 10mm; }
.scrutiny-dash { font-family: "Liberation Sans", Arial, sans-serif; font-size: 9pt; color: #111; }
.scrutiny-dash h3 { margin: 14px 0 4px; padding: 4px 6px; background: #1f4e79; color: #fff; font-size: 11pt; break-after: avoid; }
.scrutiny-dash table { border-collapse: collapse; width: 100%; margin-bottom: 8px; table-layout: fixed; }
.scrutiny-dash thead { display: table-header-group; }
.scrutiny-dash tr { break-inside: avoid; page-break-inside: avoid; }
.scrutiny-dash th, .scrutiny-dash td { border: 1px solid #9aa5b1 !important; padding: 3px 4px !important; vertical-align: top !important; text-align: left !important; }
.scrutiny-dash th { background: #e8eef4; font-weight: bold; }
.scrutiny-dash td.outcome { background: #f4f6f8; font-style: italic; }
.scrutiny-dash .small { font-size: 7.5pt; color: #333; }
.scrutiny-dash .verdict { display: inline-block; margin-top: 2px; padding: 1px 4px; border-radius: 3px; font-weight: bold; border: 1px solid #555; }
.scrutiny-dash .v-better, .scrutiny-dash .v-improved, .scrutiny-dash .v-on_target { background: #c8e6c9; }
.scrutiny-dash .v-similar, .scrutiny-dash .v-no_significant_change { background: #eeeeee; }
.scrutiny-dash .v-worse, .scrutiny-dash .v-worsened { background: #ffcdd2; }
.scrutiny-dash .v-higher, .scrutiny-dash .v-lower, .scrutiny-dash .v-increased, .scrutiny-dash .v-decreased { background: #bbdefb; }
.scrutiny-dash .v-not_compared { background: #fff; border-style: dashed; font-weight: normal; }
.scrutiny-dash .indicative { border-style: dotted; }
.scrutiny-dash img.spark { width: 100%; max-width: 150px; height: auto; }
.scrutiny-dash .legend td { border: none; padding: 1px 6px; }
.scrutiny-dash ol.footnotes { font-size: 8pt; margin-top: 4px; }
</style>
"""
