"""Load a Ranvier output file (`ranvier run` writes NetPyNE's saveJson format) into
NetPyNE and run NetPyNE's own analysis on it. Usage:

    MPLBACKEND=Agg python3 validation/netpyne/load_ranvier_output.py OUT_data.json [FIGDIR]

Exits non-zero if NetPyNE cannot load the file or its analysis fails. Needs
`pip install netpyne`. (NetPyNE 1.1.1's plotSpikeHist prints a matplotlib colour error
for networks with several populations; it does so on NetPyNE's own output files too.)
"""
import os
import sys

from netpyne import sim


def main(path, figdir):
    os.makedirs(figdir, exist_ok=True)
    sim.initialize()
    sim.loadAll(path, instantiate=False)
    spkt = sim.allSimData["spkt"]
    spkid = sim.allSimData["spkid"]
    cells = sim.net.allCells
    print("loaded: %d cells, %d spikes, %d pops" % (len(cells), len(spkt), len(sim.net.allPops)))
    assert len(spkt) == len(spkid) and len(cells) > 0
    sim.analysis.plotRaster(saveFig=os.path.join(figdir, "netpyne_raster.png"), showFig=False)
    sim.analysis.plotSpikeHist(saveFig=os.path.join(figdir, "netpyne_spikehist.png"), showFig=False)
    sim.analysis.plot2Dnet(saveFig=os.path.join(figdir, "netpyne_2dnet.png"), showFig=False)
    if any(k for k in sim.allSimData if k.startswith("V_")):
        sim.analysis.plotTraces(saveFig=os.path.join(figdir, "netpyne_traces.png"), showFig=False)
    print("NetPyNE analysis ran on the Ranvier output")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "/tmp/ranvier_netpyne_check")
