"""The simulated organization: AWS as moto plays it, plus the Well-Architected service moto lacks
(``wellarchitected``). It deploys the real templates, runs the real handlers in-process and tells the story
of ``make demo``. Installed with the ``sandbox`` extra; operators' commands never import it."""
