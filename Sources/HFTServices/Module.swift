import HFTCore
