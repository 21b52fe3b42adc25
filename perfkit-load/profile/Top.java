import java.nio.file.*; import java.util.*; import jdk.jfr.consumer.*;
public class Top {
  public static void main(String[] a) throws Exception {
    Map<String,Integer> threads=new TreeMap<>(), self=new HashMap<>(), perfkit=new HashMap<>(), incl=new HashMap<>();
    int n=0;
    for (RecordedEvent e: RecordingFile.readAllEvents(Path.of(a[0]))) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample")) continue;
      n++;
      RecordedThread t=e.getThread("sampledThread");
      String tn=t==null?"?":t.getJavaName().replaceAll("[0-9]+","#");
      threads.merge(tn,1,Integer::sum);
      RecordedStackTrace st=e.getStackTrace(); if(st==null) continue;
      List<RecordedFrame> f=st.getFrames();
      if(!f.isEmpty()) self.merge(name(f.get(0)),1,Integer::sum);
      Set<String> seen=new HashSet<>();
      for (RecordedFrame fr: f) { String m=name(fr); if (m.startsWith("dev.perfkit")&&!m.startsWith("dev.perfkit.sample")) { if(seen.add(m)) incl.merge(m,1,Integer::sum);} }
      for (RecordedFrame fr: f) { String m=name(fr); if (m.startsWith("dev.perfkit")) { perfkit.merge(m,1,Integer::sum); break; } }
    }
    System.out.println(n+" samples\n-- threads"); print(threads,15);
    System.out.println("-- self top frames"); print(self,25);
    System.out.println("-- inclusive perfkit methods"); print(incl,40);
  }
  static String name(RecordedFrame f){ return f.getMethod().getType().getName()+"."+f.getMethod().getName(); }
  static void print(Map<String,Integer> m,int k){ m.entrySet().stream().sorted((x,y)->y.getValue()-x.getValue()).limit(k).forEach(x->System.out.println(x.getValue()+"\t"+x.getKey())); }
}
