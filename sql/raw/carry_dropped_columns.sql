-- Full load: columns dropped in the source keep their last known values in raw.
update {stage} s set {assignments} from {old} o where {join}
